-- test support: the body and settings of function app.$1 (its first overload).
select p.prosrc, p.proconfig from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
where n.nspname = 'app' and p.proname = $1
limit 1;
