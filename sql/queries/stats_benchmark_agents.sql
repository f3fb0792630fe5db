-- statistics benchmark: per-agent kpis of one window (no previous window), every agent the
-- caller may see: jsonb rows of analytics.agent_stats. $1 from, $2 to.
select to_jsonb(s) as stats from analytics.agent_stats($1, $2, null) s;
