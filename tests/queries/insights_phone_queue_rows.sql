-- test support (insights capacity): the phone queue's raw interval rows in [$1, $2), as the
-- database owner.
select q.bucket_start, q.offered, q.answered, q.aht_seconds, q.agents_staffed, q.threshold_seconds
from public.support_queue_metrics q
where q.queue = 'phone' and q.bucket_start >= $1 and q.bucket_start < $2;
