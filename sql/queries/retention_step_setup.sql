-- retention: each step's transaction gives up waiting for a lock after $1 (it is retried on
-- the next run) instead of queueing other sessions behind it.
select pg_catalog.set_config('lock_timeout', $1, true);
