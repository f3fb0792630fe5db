-- per-agent kpis of a window and of the previous window of the same length (agents of a team when
-- given): jsonb rows of analytics.agent_stats.
-- $1 from, $2 to, $3 previous from, $4 the agents' team or null.
select 'current' as period, to_jsonb(s) as stats
from analytics.agent_stats($1, $2, $4) s
union all
select 'previous', to_jsonb(s)
from analytics.agent_stats($3, $1, $4) s;
