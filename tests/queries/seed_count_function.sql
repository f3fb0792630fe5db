-- test support: a session-local helper that runs a generated count query (used by the catalog
-- driven checks seed_orphans and seed_check_violations).
create function pg_temp.seed_count(query text) returns bigint
language plpgsql as $$
declare
  n bigint;
begin
  execute query into n;
  return n;
end
$$;
