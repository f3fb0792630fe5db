-- series tests: calls of analytics functions counted in this transaction (see
-- series_track_functions.sql).
select s.funcname as name, s.calls
from pg_catalog.pg_stat_xact_user_functions s
where s.schemaname = 'analytics'
order by s.funcname;
