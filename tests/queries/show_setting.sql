-- test only: the value of a server setting.
select pg_catalog.current_setting($1);
