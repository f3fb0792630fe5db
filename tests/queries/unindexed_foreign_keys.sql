-- foreign keys of the public schema whose columns are not the leading columns of any index.
select c.conrelid::regclass::text as table_name, c.conname
from pg_constraint c
join pg_namespace n on n.oid = c.connamespace
where c.contype = 'f' and n.nspname = 'public'
  and not exists (
    select 1 from pg_index i
    where i.indrelid = c.conrelid
      and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey
  )
order by 1, 2;
