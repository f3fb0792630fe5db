-- queue kpis (service level, abandonment, speed of answer, longest wait, depth) of a window and of
-- the previous window of the same length, per queue and overall (queue 'all'). jsonb rows of
-- analytics.queue_stats. $1 from, $2 to, $3 previous from.
select 'current' as period, to_jsonb(s) as stats
from analytics.queue_stats($1, $2) s
union all
select 'previous', to_jsonb(s)
from analytics.queue_stats($3, $1) s;
