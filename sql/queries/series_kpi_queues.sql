-- queue kpis (service level, abandonment, speed of answer, longest wait, depth) per time bucket:
-- analytics.queue_stats (queue intervals starting in the bucket) over each bucket of [$1, $2) in
-- iana zone $4 ($3: granularity), clipped to the window. organisation-wide (no team or agent
-- scope). $5: 'queue' for one row per queue, null for the overall row (queue 'all') only. rows
-- and columns as series_kpi_tickets.sql (the queue is the group key and label).
select b.bucket_no, b.bucket_start, b.bucket_end, b.local_start,
       s.queue as group_key, s.queue as group_label, to_jsonb(s) as stats
from analytics.series_buckets($1, $2, $3, $4) as b
left join lateral analytics.queue_stats(
  greatest(b.bucket_start, $1), least(b.bucket_end, $2)) as s
  on (s.queue = 'all') = ($5::text is null)
order by b.bucket_no;
