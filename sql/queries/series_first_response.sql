-- median first response time (minutes, calendar time) per time bucket of [$1, $2) in iana time
-- zone $4; $3: granularity 'hour' | 'day' | 'week' | 'month' (checked by
-- analytics.series_buckets).
-- $5 / $6: only the tickets of a team / of an agent (null: every ticket the caller may see).
-- $7: grouping (channel, category, priority, status, vip_tier, team, agent; null: one series
-- keyed 'all'); each group that has data gets every bucket.
-- first response time = first public agent reply (support_tickets.first_response_at) minus
-- created_at; tickets are counted by created_at in the window (metrics.md), and only those that
-- have had a first response. n = the tickets behind the median; a bucket without any has n = 0
-- and a null value. columns as every series_*.sql: bucket_no, bucket_start, bucket_end,
-- local_start, n, value. row level security decides which tickets the caller counts.
with buckets as (
  select b.bucket_no, b.bucket_start, b.bucket_end, b.local_start
  from analytics.series_buckets($1::timestamptz, $2::timestamptz, $3::text, $4::text) as b
),
edges as (
  select array_agg(b.bucket_start order by b.bucket_no) as starts
  from buckets b
),
per_bucket as (
  select width_bucket(t.created_at, e.starts) as bucket_no,
         analytics.group_key($7::text, t.channel, c.path, t.priority, t.status, t.vip_tier,
                             t.team_id, t.assigned_agent_id) as group_key,
         count(*) as n,
         percentile_cont(0.5) within group (
           order by extract(epoch from t.first_response_at - t.created_at) / 60) as median_minutes
  from public.support_tickets t
  cross join edges e
  left join public.support_categories c on c.id = t.category_id
  where t.created_at >= $1::timestamptz
    and t.created_at < $2::timestamptz
    and ($5::uuid is null or t.team_id = $5::uuid)
    and ($6::uuid is null or t.assigned_agent_id = $6::uuid)
    and t.first_response_at is not null
  group by 1, 2
),
keys as (
  select distinct p.group_key from per_bucket p
  union
  select 'all' where $7::text is null
)
select b.bucket_no, b.bucket_start, b.bucket_end, b.local_start, k.group_key,
       coalesce(p.n, 0)::integer as n,
       p.median_minutes as value
from buckets b
cross join keys k
left join per_bucket p on p.bucket_no = b.bucket_no and p.group_key = k.group_key
order by k.group_key, b.bucket_no;
