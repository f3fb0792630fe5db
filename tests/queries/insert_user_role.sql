-- a user with an application role (for the hook test).
with u as (insert into auth.users (id, email) values ($1, $2) returning id)
insert into public.user_roles (user_id, app_role, team_id) select id, $3, null from u;
