-- backlog kpis (open, unassigned, unanswered) per time bucket: a snapshot, not a flow, so each
-- bucket of [$1, $2) in iana zone $4 ($3: granularity) reports the backlog at its end clipped to
-- the window and capped at now(): least(bucket_end, $2, now()). buckets starting at or after
-- now() have no snapshot (null group_key and stats). all instants are answered by one call of
-- analytics.backlog_series (backlog_at's definitions, one pass over the tickets open at any of
-- them). $5 grouping or null, $6 team (the ticket's) or null, $7 assigned agent or null. rows and
-- columns as series_kpi_tickets.sql; row level security decides which tickets count.
with buckets as (
  select b.bucket_no, b.bucket_start, b.bucket_end, b.local_start,
         least(b.bucket_end, $2, now()) as at
  from analytics.series_buckets($1, $2, $3, $4) as b
),
instants as (
  select array_agg(b.at order by b.bucket_no) as ats
  from buckets b
  where greatest(b.bucket_start, $1) < now()
)
select b.bucket_no, b.bucket_start, b.bucket_end, b.local_start,
       s.group_key, s.group_label, to_jsonb(s) as stats
from buckets b
left join (
  instants i
  cross join lateral analytics.backlog_series(i.ats, $5, $6, $7) as s
) on s.instant_no = b.bucket_no
order by b.bucket_no;
