-- every function of the database outside the system schemas and extensions, with what the
-- catalog test checks: a fixed search_path, its comment, security definer and who may execute.
select n.nspname as schema,
       p.proname as name,
       p.oid::regprocedure::text as signature,
       p.provolatile::text as volatility,
       p.pronargs::int as nargs,
       p.prosecdef as security_definer,
       coalesce(exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%'), false)
         as fixed_search_path,
       obj_description(p.oid, 'pg_proc') as comment,
       has_function_privilege('anon', p.oid, 'execute') as anon_may_execute,
       coalesce(exists (select 1 from aclexplode(p.proacl) a
                        where a.grantee = 0 and a.privilege_type = 'EXECUTE'), p.proacl is null)
         as public_may_execute
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
  and n.nspname not like 'pg_temp%'
  and not exists (select 1 from pg_catalog.pg_depend d
                  where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid
                    and d.deptype = 'e')
order by 1, 2;
