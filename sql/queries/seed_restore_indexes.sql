-- seeding: rebuild the indexes dropped by seed_drop_indexes, from their saved definitions.
do $$
declare
  r record;
begin
  for r in select definition from pg_temp.seed_saved_indexes loop
    execute r.definition;
  end loop;
end
$$;
