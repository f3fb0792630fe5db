-- sla compliance kpis of a window and of the previous window of the same length: overall, and per
-- group (including 'policy') when a grouping is given. jsonb rows of analytics.sla_stats.
-- $1 from, $2 to, $3 previous from, $4 grouping or null, $5 team (the ticket's) or null,
-- $6 assigned agent or null.
select 'current' as period, to_jsonb(s) as stats
from analytics.sla_stats($1, $2, null, $5, $6) s
union all
select 'previous', to_jsonb(s)
from analytics.sla_stats($3, $1, null, $5, $6) s
union all
select 'current_group', to_jsonb(s)
from analytics.sla_stats($1, $2, $4, $5, $6) s
where $4::text is not null
union all
select 'previous_group', to_jsonb(s)
from analytics.sla_stats($3, $1, $4, $5, $6) s
where $4::text is not null;
