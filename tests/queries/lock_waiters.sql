-- test only: statements of this database waiting on a lock right now (pg_stat_activity).
select count(*)::int
from pg_catalog.pg_stat_activity
where datname = pg_catalog.current_database()
  and state = 'active'
  and wait_event_type = 'Lock';
