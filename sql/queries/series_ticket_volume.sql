-- $5 / $6: only the tickets of a team / of an agent (null: every ticket the caller may see).
-- $7: grouping (channel, category, priority, status, vip_tier, team, agent; null: one series
-- keyed 'all'); each group that has data gets every bucket.
-- tickets created per time bucket of the window [$1, $2) in iana time zone $4.
-- $3: granularity, one of 'hour', 'day', 'week', 'month' (the closed set is enforced by
-- analytics.series_buckets, which raises on anything else).
-- every bucket of the window appears, in order: n = 0 and value null when no ticket was created
-- in it. a ticket is counted in the bucket whose [bucket_start, bucket_end) holds its created_at
-- (width_bucket over the sorted bucket starts: one scan of the window, and a repeated local hour
-- of a fall-back night stays two buckets). only tickets inside the window count, so the first
-- and last buckets may be partial. row level security decides which tickets the caller counts.
-- columns (shared by every series_*.sql): bucket_no, bucket_start, bucket_end, local_start, n,
-- value.
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
         count(*) as n
  from public.support_tickets t
  cross join edges e
  left join public.support_categories c on c.id = t.category_id
  where t.created_at >= $1::timestamptz
    and t.created_at < $2::timestamptz
    and ($5::uuid is null or t.team_id = $5::uuid)
    and ($6::uuid is null or t.assigned_agent_id = $6::uuid)
  group by 1, 2
),
keys as (
  select distinct p.group_key from per_bucket p
  union
  select 'all' where $7::text is null
)
select b.bucket_no, b.bucket_start, b.bucket_end, b.local_start, k.group_key,
       coalesce(p.n, 0)::integer as n,
       p.n::double precision as value
from buckets b
cross join keys k
left join per_bucket p on p.bucket_no = b.bucket_no and p.group_key = k.group_key
order by k.group_key, b.bucket_no;
