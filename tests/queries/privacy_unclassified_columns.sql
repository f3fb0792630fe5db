-- test support: columns of schema public that can hold text (text, varchar, char, json, jsonb,
-- bytea, arrays of them) and are neither limited to a closed set of values by a single-column
-- check constraint (`col = any (array[...])`, `col <@ array[...]`) nor classified in
-- app.personal_data_catalog. partitions are skipped (their parent is checked).
with text_columns as (
  select c.relname::text as table_name, a.attname::text as column_name, a.attnum, c.oid
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  join pg_type t on t.oid = a.atttypid
  left join pg_type e on e.oid = t.typelem and t.typcategory = 'A'
  where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
    and (t.typcategory = 'S' or t.typname in ('json', 'jsonb', 'bytea')
         or e.typcategory = 'S' or e.typname in ('json', 'jsonb'))
),
closed as (
  select k.conrelid, k.conkey[1] as attnum
  from pg_constraint k
  where k.contype = 'c' and cardinality(k.conkey) = 1
    and (pg_get_constraintdef(k.oid) ~ '= ANY \(ARRAY\[' or pg_get_constraintdef(k.oid) ~ '<@ ARRAY\[')
)
select tc.table_name, tc.column_name
from text_columns tc
where not exists (select 1 from closed k where k.conrelid = tc.oid and k.attnum = tc.attnum)
  and not exists (select 1 from app.personal_data_catalog pc
                  where pc.table_name = tc.table_name and pc.column_name = tc.column_name)
order by 1, 2;
