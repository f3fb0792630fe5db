-- the whole dashboard in one statement: every source of headline kpis for the window and the
-- previous window of the same length, and the ticket distributions of the window. rows are
-- (source, period, stats jsonb); the functions are inlined, so each part is planned with the
-- parameters as constants. queue and vip figures are organisation-wide and only included when the
-- dashboard is not scoped to a team or an agent; vip retention also needs a viewer who sees every
-- client (for an agent it would be the retention of whichever clients wrote to them, which is not
-- a retention rate, and its policy chain is the costliest part of their dashboard).
-- $1 from, $2 to, $3 previous from (the previous window is [$3, $1)), $4 team or null,
-- $5 agent or null, $6 the request's clock (backlogs are taken at an end, or at $6 when the end
-- is later: the whole request sees one instant).
select 'tickets' as source, 'current' as period, to_jsonb(s) as stats
from analytics.ticket_stats($1, $2, null, $4, $5) s
union all
select 'tickets', 'previous', to_jsonb(s)
from analytics.ticket_stats($3, $1, null, $4, $5) s
union all
select 'backlog', 'current', to_jsonb(s)
from analytics.backlog_at(least($2::timestamptz, $6::timestamptz), null, $4, $5) s
union all
select 'backlog', 'previous', to_jsonb(s)
from analytics.backlog_at(least($1::timestamptz, $6::timestamptz), null, $4, $5) s
union all
select 'sla', 'current', to_jsonb(s)
from analytics.sla_stats($1, $2, null, $4, $5) s
union all
select 'sla', 'previous', to_jsonb(s)
from analytics.sla_stats($3, $1, null, $4, $5) s
union all
select 'surveys', 'current', to_jsonb(s)
from analytics.survey_stats($1, $2, null, $4, $5) s
union all
select 'surveys', 'previous', to_jsonb(s)
from analytics.survey_stats($3, $1, null, $4, $5) s
union all
select 'workforce', 'current', to_jsonb(s)
from analytics.workforce_stats($1, $2, null, $4, $5) s
union all
select 'workforce', 'previous', to_jsonb(s)
from analytics.workforce_stats($3, $1, null, $4, $5) s
union all
select 'queues', 'current', to_jsonb(s)
from analytics.queue_stats($1, $2) s
where $4::uuid is null and $5::uuid is null
union all
select 'queues', 'previous', to_jsonb(s)
from analytics.queue_stats($3, $1) s
where $4::uuid is null and $5::uuid is null
union all
select 'vip', 'current', to_jsonb(s)
from analytics.vip_stats($1, $2) s
where $4::uuid is null and $5::uuid is null and (select app.viewer_sees_all())
union all
select 'vip', 'previous', to_jsonb(s)
from analytics.vip_stats($3, $1) s
where $4::uuid is null and $5::uuid is null and (select app.viewer_sees_all())
union all
select 'distribution', 'current', to_jsonb(s)
from analytics.ticket_distribution($1, $2, $4, $5) s;
