-- every table in the public schema (partitioned tables included) and every partition (schema
-- partitions) with whether row level security is on and its comment.
select c.relname as table_name,
       c.relrowsecurity as rls_enabled,
       obj_description(c.oid, 'pg_class') as comment
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where (n.nspname = 'public' and c.relkind in ('r', 'p'))
   or (n.nspname = 'partitions' and c.relkind = 'r')
order by c.relname;
