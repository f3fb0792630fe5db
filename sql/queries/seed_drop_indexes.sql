-- seeding: drop the secondary indexes of the public tables for the bulk load, keeping their
-- definitions in a temporary table; seed_restore_indexes rebuilds them before the commit.
-- indexes backing a constraint (primary keys, unique) stay.
create temp table seed_saved_indexes on commit drop as
select format('%I.%I', n.nspname, ic.relname) as name, pg_get_indexdef(i.indexrelid) as definition
from pg_catalog.pg_index i
join pg_catalog.pg_class ic on ic.oid = i.indexrelid
join pg_catalog.pg_class t on t.oid = i.indrelid
join pg_catalog.pg_namespace n on n.oid = t.relnamespace
where n.nspname = 'public'
  and t.relkind = 'r'
  and not exists (select 1 from pg_catalog.pg_constraint c where c.conindid = i.indexrelid);

do $$
declare
  r record;
begin
  for r in select name from pg_temp.seed_saved_indexes loop
    execute 'drop index ' || r.name;
  end loop;
end
$$;
