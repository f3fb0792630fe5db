-- queue performance buckets starting in the window [$2, $3) of the queues $1 (null = every
-- queue), oldest bucket first (ties by queue name). rows are the caller's under rls.
select q.id, q.queue, q.bucket_start, q.interval_seconds, q.offered, q.answered,
       q.answered_within_threshold, q.abandoned, q.abandoned_after_threshold,
       q.threshold_seconds, q.avg_wait_seconds, q.longest_wait_seconds, q.queue_depth,
       q.agents_available, q.agents_staffed, q.aht_seconds
from public.support_queue_metrics q
where ($1::text[] is null or q.queue = any($1::text[]))
  and q.bucket_start >= $2::timestamptz
  and q.bucket_start < $3::timestamptz
order by q.bucket_start, q.queue;
