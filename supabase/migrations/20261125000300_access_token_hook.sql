-- custom access token hook (supabase auth): adds the `app_role` claim from public.user_roles to
-- every jwt supabase auth issues, as in supabase's "custom claims & rbac" guide. enable it in the
-- dashboard (authentication → hooks) or config.toml ([auth.hook.custom_access_token]).

create or replace function public.custom_access_token_hook(event jsonb) returns jsonb
language plpgsql stable
set search_path = ''
as $$
declare
  claims jsonb := event -> 'claims';
  user_role text;
begin
  select ur.app_role into user_role
  from public.user_roles ur
  where ur.user_id = (event ->> 'user_id')::uuid;

  claims := jsonb_set(claims, '{app_role}', coalesce(to_jsonb(user_role), 'null'::jsonb));
  return jsonb_set(event, '{claims}', claims);
end;
$$;
comment on function public.custom_access_token_hook(jsonb) is 'supabase auth hook: copies the user''s application role into the jwt claim app_role.';

grant usage on schema public to supabase_auth_admin;
grant execute on function public.custom_access_token_hook(jsonb) to supabase_auth_admin;
revoke execute on function public.custom_access_token_hook(jsonb) from authenticated, anon, public;

grant select on table public.user_roles to supabase_auth_admin;
create policy user_roles_select_auth_admin on public.user_roles
  as permissive for select to supabase_auth_admin using (true);
