-- alerting: tickets created per hour over the complete hours [$1, $2) (both hour starts),
-- empty hours as 0, oldest first. as the gateway (all teams).
with counts as (
  select pg_catalog.date_trunc('hour', t.created_at, 'UTC') as bucket, count(*)::int as arrivals
  from public.support_tickets t
  where t.created_at >= $1::timestamptz
    and t.created_at < $2::timestamptz
  group by 1
)
select b.bucket, coalesce(c.arrivals, 0) as arrivals
from pg_catalog.generate_series($1::timestamptz, $2::timestamptz - interval '1 hour',
                                interval '1 hour') as b(bucket)
left join counts c on c.bucket = b.bucket
order by b.bucket;
