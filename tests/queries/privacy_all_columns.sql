-- test support: every column of every table holding rows (plain tables and partitions) outside
-- the system schemas.
select n.nspname::text as schema_name, c.relname::text as table_name, a.attname::text as column_name
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where c.relkind = 'r'
  and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
order by 1, 2, 3;
