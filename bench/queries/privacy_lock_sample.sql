-- privacy benchmark: one sample of who waits for a lock held by the retention run (its backend is
-- the holder of the retention advisory lock): how many sessions, and the longest wait so far.
with run as (
  select l.pid from pg_catalog.pg_locks l
  where l.locktype = 'advisory' and l.granted
    and l.classid::bigint = ((pg_catalog.hashtext('support-gateway retention')::bigint >> 32) & 4294967295)
    and l.objid::bigint = (pg_catalog.hashtext('support-gateway retention')::bigint & 4294967295)
  limit 1
)
select (select r.pid from run r) as retention_pid,
       pg_catalog.count(w.pid)::int as blocked,
       pg_catalog.max(extract(epoch from pg_catalog.clock_timestamp() - w.query_start))::float8
         as longest_wait_seconds
from pg_catalog.pg_stat_activity w, run r
where w.wait_event_type = 'Lock' and r.pid = any(pg_catalog.pg_blocking_pids(w.pid));
