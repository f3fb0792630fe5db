-- call the custom access token hook with a minimal supabase auth event.
select public.custom_access_token_hook($1::jsonb) as event;
