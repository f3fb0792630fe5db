-- ticket kpis (volume, first response, resolution, fcr, one-touch, reopenings) of a window and of
-- the previous window of the same length: overall, and per group when a grouping is given. one
-- jsonb row of analytics.ticket_stats per group and period.
-- $1 from, $2 to, $3 previous from (the previous window is [$3, $1)), $4 grouping or null,
-- $5 team (the ticket's) or null, $6 assigned agent or null.
select 'current' as period, to_jsonb(s) as stats
from analytics.ticket_stats($1, $2, null, $5, $6) s
union all
select 'previous', to_jsonb(s)
from analytics.ticket_stats($3, $1, null, $5, $6) s
union all
select 'current_group', to_jsonb(s)
from analytics.ticket_stats($1, $2, $4, $5, $6) s
where $4::text is not null
union all
select 'previous_group', to_jsonb(s)
from analytics.ticket_stats($3, $1, $4, $5, $6) s
where $4::text is not null;
