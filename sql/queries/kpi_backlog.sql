-- backlog kpis: tickets open at the window's end (current) and at its start (the previous
-- window's end), each instant capped at now(); overall and per group when a grouping is given.
-- one jsonb row of analytics.backlog_at per group and period.
-- $1 from, $2 to, $3 grouping or null, $4 team (the ticket's) or null, $5 assigned agent or null.
select 'current' as period, to_jsonb(s) as stats
from analytics.backlog_at(least($2::timestamptz, now()), null, $4, $5) s
union all
select 'previous', to_jsonb(s)
from analytics.backlog_at(least($1::timestamptz, now()), null, $4, $5) s
union all
select 'current_group', to_jsonb(s)
from analytics.backlog_at(least($2::timestamptz, now()), $3, $4, $5) s
where $3::text is not null
union all
select 'previous_group', to_jsonb(s)
from analytics.backlog_at(least($1::timestamptz, now()), $3, $4, $5) s
where $3::text is not null;
