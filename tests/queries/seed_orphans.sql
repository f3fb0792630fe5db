-- test support: rows whose foreign key points nowhere, per foreign key of the public tables
-- (needs seed_count_function; built from the catalog so every foreign key is covered; all are single-column).
select
  c.conrelid::regclass::text as child,
  c.conname as constraint_name,
  pg_temp.seed_count(format(
    'select count(*) from %s ch where ch.%I is not null'
    || ' and not exists (select 1 from %s pa where pa.%I = ch.%I)',
    c.conrelid::regclass, ca.attname, c.confrelid::regclass, pa.attname, ca.attname
  )) as orphans
from pg_catalog.pg_constraint c
join pg_catalog.pg_attribute ca on ca.attrelid = c.conrelid and ca.attnum = c.conkey[1]
join pg_catalog.pg_attribute pa on pa.attrelid = c.confrelid and pa.attnum = c.confkey[1]
where c.contype = 'f' and c.connamespace = 'public'::regnamespace
order by 1, 2;
