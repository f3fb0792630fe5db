-- realtime tests: a queue bucket for queue $1 starting at $2 with depth $3.
insert into public.support_queue_metrics
  (queue, bucket_start, interval_seconds, offered, answered, answered_within_threshold, abandoned,
   abandoned_after_threshold, threshold_seconds, avg_wait_seconds, longest_wait_seconds,
   queue_depth, agents_available, agents_staffed, aht_seconds)
values ($1, $2, 900, 10, 8, 7, 1, 1, 60, 42.5, 300, $3, 3, 5, 310.0)
returning id;
