-- a real supabase database has the supabase_admin role; a plain postgres does not.
select exists (select 1 from pg_catalog.pg_roles where rolname = 'supabase_admin');
