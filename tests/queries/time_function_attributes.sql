-- test support (time tests): security, volatility and execute rights of the time functions.
select p.proname as name,
       p.prosecdef as security_definer,
       p.provolatile::text as volatility,
       pg_catalog.has_function_privilege('authenticated', p.oid, 'execute') as authenticated_can_execute,
       pg_catalog.has_function_privilege('anon', p.oid, 'execute') as anon_can_execute
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
where n.nspname = 'analytics'
  and p.proname in ('business_minutes', 'add_business_minutes', 'series_buckets')
order by p.proname;
