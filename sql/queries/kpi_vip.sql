-- vip retention of a window and of the previous window of the same length, per tier and overall
-- (tier 'all'). jsonb rows of analytics.vip_stats. $1 from, $2 to, $3 previous from.
select 'current' as period, to_jsonb(s) as stats
from analytics.vip_stats($1, $2) s
union all
select 'previous', to_jsonb(s)
from analytics.vip_stats($3, $1) s;
