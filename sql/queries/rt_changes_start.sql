-- realtime hub, on start: the newest change row and the snapshot it was read in (transactions
-- still running then may commit rows with lower seqs; the hub reads those by xact_id).
select pg_catalog.pg_current_snapshot()::text as snapshot,
       coalesce((select max(c.seq) from public.support_change_log c), 0)::bigint as newest;
