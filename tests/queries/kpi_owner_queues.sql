-- kpi tests: every queue interval (average wait as double precision).
select q.queue, q.bucket_start, q.offered, q.answered, q.answered_within_threshold, q.abandoned,
       q.abandoned_after_threshold, q.longest_wait_seconds, q.queue_depth,
       q.avg_wait_seconds::double precision as avg_wait_seconds
from public.support_queue_metrics q
order by q.id;
