-- test support: catalog entries naming no existing column (a renamed or dropped column).
select pc.table_name, pc.column_name
from app.personal_data_catalog pc
where not exists (
  select 1 from information_schema.columns c
  where c.table_schema = 'public' and c.table_name = pc.table_name
    and c.column_name = pc.column_name)
order by 1, 2;
