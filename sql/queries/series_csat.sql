-- mean csat (1-5) per time bucket of [$1, $2) in iana zone $4 ($3: granularity, checked by
-- analytics.series_buckets), over answered surveys counted by sent_at like the csat kpi
-- (metrics.md). n = the ratings behind the mean; a bucket without any has n = 0 and a null value.
-- $5 / $6: only the surveys of a team's / an agent's tickets; $7: grouping (see
-- series_ticket_volume.sql). row level security decides which surveys the caller counts.
with buckets as (
  select b.bucket_no, b.bucket_start, b.bucket_end, b.local_start
  from analytics.series_buckets($1::timestamptz, $2::timestamptz, $3::text, $4::text) as b
),
edges as (
  select array_agg(b.bucket_start order by b.bucket_no) as starts
  from buckets b
),
per_bucket as (
  select width_bucket(s.sent_at, e.starts) as bucket_no,
         analytics.group_key($7::text, t.channel, c.path, t.priority, t.status, t.vip_tier,
                             t.team_id, t.assigned_agent_id) as group_key,
         count(*) as n,
         avg(s.csat_rating)::double precision as mean_csat
  from public.support_feedback_surveys s
  join public.support_tickets t on t.id = s.ticket_id
  cross join edges e
  left join public.support_categories c on c.id = t.category_id
  where s.sent_at >= $1::timestamptz
    and s.sent_at < $2::timestamptz
    and ($5::uuid is null or t.team_id = $5::uuid)
    and ($6::uuid is null or t.assigned_agent_id = $6::uuid)
    and s.csat_rating is not null
  group by 1, 2
),
keys as (
  select distinct p.group_key from per_bucket p
  union
  select 'all' where $7::text is null
)
select b.bucket_no, b.bucket_start, b.bucket_end, b.local_start, k.group_key,
       coalesce(p.n, 0)::integer as n,
       p.mean_csat as value
from buckets b
cross join keys k
left join per_bucket p on p.bucket_no = b.bucket_no and p.group_key = k.group_key
order by k.group_key, b.bucket_no;
