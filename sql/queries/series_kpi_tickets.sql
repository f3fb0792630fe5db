-- ticket kpis (volume, first response, resolution, first resolution, fcr, one-touch, reopenings,
-- white-glove use) per time bucket: analytics.ticket_stats over each bucket of the window
-- [$1, $2) in iana zone $4 ($3: granularity, checked by analytics.series_buckets), clipped to the
-- window, so a bucket's figure is the kpi's own definition over [greatest(bucket_start, $1),
-- least(bucket_end, $2)). $5 grouping or null, $6 team (the ticket's) or null, $7 assigned agent
-- or null. one row per bucket and group ('all' when $5 is null); a grouped bucket without tickets
-- is one row with null group_key and stats. the function is inlined (security invoker, sql), so
-- row level security decides which tickets count and each bucket is an index range scan.
-- columns (shared by every series_kpi_*.sql): bucket_no, bucket_start, bucket_end, local_start,
-- group_key, group_label, stats.
select b.bucket_no, b.bucket_start, b.bucket_end, b.local_start,
       s.group_key, s.group_label, to_jsonb(s) as stats
from analytics.series_buckets($1, $2, $3, $4) as b
left join lateral analytics.ticket_stats(
  greatest(b.bucket_start, $1), least(b.bucket_end, $2), $5, $6, $7) as s on true
order by b.bucket_no;
