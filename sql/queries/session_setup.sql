-- start a user's request the way postgrest does: switch to the jwt's postgres role and expose
-- the verified claims to auth.uid() / auth.jwt() for the rest of the transaction.
-- plan_cache_mode: our named queries use "($n is null or col = $n)" optional filters, which only
-- a custom plan (parameters known) can simplify; a cached generic plan would scan.
select
  pg_catalog.set_config('role', $1, true),
  pg_catalog.set_config('request.jwt.claims', $2, true),
  pg_catalog.set_config('statement_timeout', $3, true),
  pg_catalog.set_config('plan_cache_mode', 'force_custom_plan', true);
