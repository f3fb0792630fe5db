-- high-value client trends: per time bucket of [$1, $2) in iana zone $4 (granularity $3, checked
-- by analytics.series_buckets) and per vip tier, the tickets vip clients created in the bucket,
-- how many were white-glove, and the csat of the bucket: the csat kpi's population
-- (analytics.csat_ratings: surveys sent in the bucket, docs/metrics.md) of tickets of that tier,
-- so a bucket's csat is kpi(csat, groupBy: VIP_TIER)'s over that bucket. every bucket × tier
-- appears (zeros and null means when nothing happened). rows the caller may not see are not
-- counted.
with buckets as (
  select b.bucket_no, b.bucket_start, b.bucket_end, b.local_start
  from analytics.series_buckets($1::timestamptz, $2::timestamptz, $3::text, $4::text) as b
),
edges as (
  select array_agg(b.bucket_start order by b.bucket_no) as starts from buckets b
),
tiers (vip_tier) as (
  values ('silver'), ('gold'), ('platinum'), ('diamond')
),
per_bucket as (
  select width_bucket(t.created_at, e.starts) as bucket_no,
         t.vip_tier,
         count(*) as tickets,
         count(*) filter (where t.is_white_glove) as white_glove
  from public.support_tickets t
  cross join edges e
  where t.created_at >= $1::timestamptz and t.created_at < $2::timestamptz
    and t.vip_tier is not null
  group by 1, 2
),
rated as (
  select width_bucket(r.sent_at, e.starts) as bucket_no,
         t.vip_tier,
         count(*) as csat_n,
         avg(r.csat_rating)::float8 as csat_mean
  from analytics.csat_ratings($1::timestamptz, $2::timestamptz) r
  join public.support_tickets t on t.id = r.ticket_id
  cross join edges e
  where t.vip_tier is not null
  group by 1, 2
)
select b.bucket_no, b.bucket_start, b.bucket_end, b.local_start, tr.vip_tier,
       coalesce(p.tickets, 0)::int as tickets,
       coalesce(p.white_glove, 0)::int as white_glove,
       coalesce(q.csat_n, 0)::int as csat_n,
       q.csat_mean
from buckets b
cross join tiers tr
left join per_bucket p on p.bucket_no = b.bucket_no and p.vip_tier = tr.vip_tier
left join rated q on q.bucket_no = b.bucket_no and q.vip_tier = tr.vip_tier
order by b.bucket_no, tr.vip_tier;
