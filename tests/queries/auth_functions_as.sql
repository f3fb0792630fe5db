-- auth helpers as supabase defines them, read back inside a transaction with claims set.
select auth.uid() as uid, auth.role() as role, auth.jwt() ->> 'app_role' as app_role;
