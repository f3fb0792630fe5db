-- workforce kpis (utilization, occupancy, adherence, quality, aht, tickets per hour) of a window
-- and of the previous window of the same length: overall, and per team or agent when a grouping
-- is given. jsonb rows of analytics.workforce_stats.
-- $1 from, $2 to, $3 previous from, $4 grouping ('team', 'agent') or null, $5 the agents' team or
-- null, $6 agent or null.
select 'current' as period, to_jsonb(s) as stats
from analytics.workforce_stats($1, $2, null, $5, $6) s
union all
select 'previous', to_jsonb(s)
from analytics.workforce_stats($3, $1, null, $5, $6) s
union all
select 'current_group', to_jsonb(s)
from analytics.workforce_stats($1, $2, $4, $5, $6) s
where $4::text is not null
union all
select 'previous_group', to_jsonb(s)
from analytics.workforce_stats($3, $1, $4, $5, $6) s
where $4::text is not null;
