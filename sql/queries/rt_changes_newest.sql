-- realtime hub, after a reconnection: the newest change seq (lower than the hub's watermark only
-- when the log was recreated, e.g. a database restored from an older backup).
select coalesce((select max(c.seq) from public.support_change_log c), 0)::bigint as newest;
