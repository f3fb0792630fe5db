-- supabase compatibility shim: makes a plain postgres look like a supabase database.
--
-- applied by `support-gateway migrate` before the migrations, only when the database is not a
-- supabase project (no `auth.users` table). it creates what supabase provides out of the box and
-- what our migrations rely on: the api roles (anon, authenticated, service_role), the auth hook
-- role (supabase_auth_admin), schema auth with auth.users, and the request helpers auth.uid(),
-- auth.role() and auth.jwt() reading the `request.jwt.claims` setting exactly as supabase does.
-- every statement is idempotent so the shim can run on every migrate.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'supabase_realtime_admin') then
    create role supabase_realtime_admin nologin noinherit;
  end if;
end
$$;

-- the connecting user switches into the api roles per request (`set local role`), as
-- supabase's `authenticator` does for postgrest.
do $$
begin
  execute format('grant anon, authenticated, service_role to %I', current_user);
end
$$;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role, supabase_auth_admin;

-- a reduced auth.users with the columns supabase's own table has and we use.
create table if not exists auth.users (
  id uuid primary key,
  aud varchar(255) default 'authenticated',
  role varchar(255) default 'authenticated',
  email varchar(255) unique,
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  raw_app_meta_data jsonb default '{}'::jsonb,
  raw_user_meta_data jsonb default '{}'::jsonb,
  is_anonymous boolean not null default false,
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);
comment on table auth.users is 'shim of supabase auth.users: one row per authenticated identity.';
alter table auth.users enable row level security;

-- the request helpers, with supabase's definitions (auth schema, supabase/postgres repo).
create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.email() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

-- supabase defines these without a search_path (and policies call them as `(select auth.uid())`);
-- the shim keeps supabase's definitions, so each says so for the catalog test.
comment on function auth.jwt() is
  'shim of supabase auth.jwt(): the request''s jwt claims. no search_path: supabase''s own definition; it calls only pg_catalog functions.';
comment on function auth.uid() is
  'shim of supabase auth.uid(): the jwt sub. no search_path: supabase''s own definition; it calls only pg_catalog functions.';
comment on function auth.role() is
  'shim of supabase auth.role(): the jwt role. no search_path: supabase''s own definition; it calls only pg_catalog functions.';
comment on function auth.email() is
  'shim of supabase auth.email(): the jwt email. no search_path: supabase''s own definition; it calls only pg_catalog functions.';

grant execute on function auth.jwt(), auth.uid(), auth.role(), auth.email()
  to anon, authenticated, service_role;
