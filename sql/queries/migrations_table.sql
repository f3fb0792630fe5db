-- the migrations ledger, shaped like the supabase cli's so both tools agree on what ran.
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text
);
comment on table supabase_migrations.schema_migrations is 'migrations applied to this database (version = file timestamp).';
alter table supabase_migrations.schema_migrations enable row level security;
