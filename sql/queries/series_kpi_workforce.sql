-- workforce kpis (utilization, occupancy, adherence, quality, aht, tickets per hour) per time
-- bucket: analytics.workforce_stats over each bucket of [$1, $2) in iana zone $4 ($3:
-- granularity; the resolver refuses 'hour'), clipped to the window. a daily agent row counts in
-- the bucket holding its start (00:00 utc of metric_date), as in a window; quality evaluations by
-- evaluated_at. $5 grouping ('team', 'agent') or null, $6 the agents' team or null, $7 agent or
-- null. rows and columns as series_kpi_tickets.sql; row level security decides which agents'
-- records count.
select b.bucket_no, b.bucket_start, b.bucket_end, b.local_start,
       s.group_key, s.group_label, to_jsonb(s) as stats
from analytics.series_buckets($1, $2, $3, $4) as b
left join lateral analytics.workforce_stats(
  greatest(b.bucket_start, $1), least(b.bucket_end, $2), $5, $6, $7) as s on true
order by b.bucket_no;
