-- every queue bucket starting in [$1, $2), in bucket then queue order (as the owner: no rls).
select * from public.support_queue_metrics
where bucket_start >= $1 and bucket_start < $2
order by bucket_start, queue;
