-- satisfaction kpis (csat, csat%, nps, ces, response rate) per time bucket:
-- analytics.survey_stats (surveys sent in the bucket) over each bucket of [$1, $2) in iana zone
-- $4 ($3: granularity), clipped to the window. $5 grouping or null, $6 team or null, $7 assigned
-- agent or null. rows and columns as series_kpi_tickets.sql; row level security decides which
-- surveys count.
select b.bucket_no, b.bucket_start, b.bucket_end, b.local_start,
       s.group_key, s.group_label, to_jsonb(s) as stats
from analytics.series_buckets($1, $2, $3, $4) as b
left join lateral analytics.survey_stats(
  greatest(b.bucket_start, $1), least(b.bucket_end, $2), $5, $6, $7) as s on true
order by b.bucket_no;
