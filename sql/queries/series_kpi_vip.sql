-- vip retention per time bucket: analytics.vip_stats over each bucket of [$1, $2) in iana zone
-- $4 ($3: granularity; the resolver refuses 'hour'), clipped to the window: clients active at
-- the bucket's start and still active at its end (capped at now). organisation-wide (no team or
-- agent scope). $5: 'vip_tier' for one row per tier (the tier at the bucket's start), null for
-- the overall row (tier 'all') only. rows and columns as series_kpi_tickets.sql.
select b.bucket_no, b.bucket_start, b.bucket_end, b.local_start,
       s.vip_tier as group_key, s.vip_tier as group_label, to_jsonb(s) as stats
from analytics.series_buckets($1, $2, $3, $4) as b
left join lateral analytics.vip_stats(
  greatest(b.bucket_start, $1), least(b.bucket_end, $2)) as s
  on (s.vip_tier = 'all') = ($5::text is null)
order by b.bucket_no;
