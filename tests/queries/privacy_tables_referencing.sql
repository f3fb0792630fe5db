-- test support: tables of schema public with a column referencing customers or tickets by
-- foreign key, or named customer_id / ticket_id (an independent list of what must be covered).
select distinct c.relname::text as table_name
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
  and a.attname in ('customer_id', 'ticket_id', 'interaction_id')
order by 1;
