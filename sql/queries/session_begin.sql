-- one round trip to start a user's request: a read-only transaction, then what postgrest does
-- (the jwt's postgres role, the verified claims for auth.uid() / auth.jwt()), the statement
-- timeout and custom plans (see session_setup.sql). Sent as a simple query (two statements) with
-- the values filled in by gateway/db.py as base64 text, so no value can end a literal:
-- {role}, {claims} (base64 of utf-8) and {timeout} (digits only).
begin transaction read only;
select
  pg_catalog.set_config('role', pg_catalog.convert_from(pg_catalog.decode('{role}', 'base64'), 'UTF8'), true),
  pg_catalog.set_config('request.jwt.claims', pg_catalog.convert_from(pg_catalog.decode('{claims}', 'base64'), 'UTF8'), true),
  pg_catalog.set_config('statement_timeout', '{timeout}', true),
  pg_catalog.set_config('plan_cache_mode', 'force_custom_plan', true);
