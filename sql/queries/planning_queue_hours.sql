-- one queue's demand per utc hour of [$2, $3), every hour present (hours without intervals have
-- zero offered and null aht): contacts offered, the aht of answered contacts (weighted by the
-- answered count of intervals that report one), agents staffed on average over the hour's
-- intervals, and the answer threshold in force (the largest reported). $1 queue. input of a
-- staffing plan (forecast of offered contacts, erlang c with the aht). rows the caller may read
-- under rls (queue metrics are staff-only).
with hours as (
  select h as hour_start
  from generate_series(date_trunc('hour', $2::timestamptz at time zone 'utc') at time zone 'utc',
                       $3::timestamptz - interval '1 microsecond', interval '1 hour') as h
),
per_hour as (
  select date_trunc('hour', q.bucket_start at time zone 'utc') at time zone 'utc' as hour_start,
         sum(q.offered)::bigint as offered,
         sum(q.aht_seconds * q.answered) filter (where q.aht_seconds is not null) as aht_weighted,
         sum(q.answered) filter (where q.aht_seconds is not null) as aht_answered,
         avg(q.agents_staffed)::double precision as agents_staffed,
         max(q.threshold_seconds) as threshold_seconds
  from public.support_queue_metrics q
  where q.queue = $1::text
    and q.bucket_start >= $2::timestamptz
    and q.bucket_start < $3::timestamptz
  group by 1
)
select h.hour_start,
       coalesce(p.offered, 0)::bigint as offered,
       p.aht_weighted::double precision as aht_weighted,
       coalesce(p.aht_answered, 0)::bigint as aht_answered,
       p.agents_staffed,
       p.threshold_seconds
from hours h
left join per_hour p on p.hour_start = h.hour_start
order by h.hour_start;
