-- test support: rows violating each check constraint of the public tables, re-evaluated from the
-- catalog definitions with seed_count_function (a check passes when its expression is true or null).
select
  c.conrelid::regclass::text as tbl,
  c.conname as constraint_name,
  pg_temp.seed_count(format(
    'select count(*) from %s where not %s',
    c.conrelid::regclass, regexp_replace(pg_get_constraintdef(c.oid), '^CHECK ', '')
  )) as violations
from pg_catalog.pg_constraint c
where c.contype = 'c' and c.connamespace = 'public'::regnamespace
order by 1, 2;
