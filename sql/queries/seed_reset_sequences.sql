-- seeding: move every identity sequence of the public tables past the explicit ids just loaded.
do $$
declare
  r record;
begin
  for r in
    select c.table_schema, c.table_name, c.column_name
    from information_schema.columns c
    where c.table_schema = 'public' and c.is_identity = 'YES'
  loop
    execute format(
      'select setval(pg_get_serial_sequence(%L, %L), coalesce((select max(%I) from %I.%I), 0) + 1, false)',
      format('%I.%I', r.table_schema, r.table_name), r.column_name,
      r.column_name, r.table_schema, r.table_name);
  end loop;
end
$$;
