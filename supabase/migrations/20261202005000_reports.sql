-- reports: definitions (built-in and custom), delivery schedules and the record of each
-- scheduled delivery.
--
-- who sees what
--   report_definitions  the owner, and every user whose application role is in shared_with
--                       (the built-in reports have no owner and are shared with every role);
--                       only the owner may change or delete a custom report
--   report_schedules    the owner only
--   report_deliveries   the owner of the schedule (read only: the gateway's scheduler writes them
--                       with its own login role, as the realtime hub and alerting engine do)
--
-- a report's figures are never stored: each run reads them under the requester's (or the
-- schedule owner's) rights at run time.

create table public.report_definitions (
  id uuid primary key default gen_random_uuid(),
  slug text unique,
  name text not null check (length(name) between 1 and 200),
  kind text not null
    check (kind in ('daily_summary', 'weekly_team', 'monthly_executive', 'custom')),
  spec jsonb not null default '{}'::jsonb,
  owner_id uuid references auth.users (id) on delete cascade,
  shared_with text[] not null default '{}'
    check (shared_with <@ array['agent', 'team_lead', 'manager', 'executive', 'analyst', 'admin']),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((kind = 'custom') = (owner_id is not null)),
  check ((slug is null) = (owner_id is not null))
);
comment on table public.report_definitions is 'report definitions: the three built-in reports (no owner, shared with every role) and custom ones (chosen kpis, scope, window, grouping, sections in spec), visible to their owner and the application roles in shared_with.';
comment on column public.report_definitions.spec is 'custom reports: {"kpis": [...], "sections": [...], "groupBy": ..., "period": ..., "teamId": ..., "agentId": ...}; built-in reports: {}';
create index report_definitions_owner_idx on public.report_definitions (owner_id);

create table public.report_schedules (
  id uuid primary key default gen_random_uuid(),
  report_id uuid not null references public.report_definitions (id) on delete cascade,
  owner_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  cron text not null check (length(cron) between 9 and 120),
  timezone text not null,
  format text not null check (format in ('pdf', 'xlsx', 'csv')),
  recipients text[] not null default '{}',
  webhook_url text,
  team_id uuid references public.teams (id) on delete cascade,
  paused boolean not null default false,
  planned_until timestamptz not null default now(),
  created_at timestamptz not null default now(),
  check (cardinality(recipients) > 0 or webhook_url is not null)
);
comment on table public.report_schedules is 'when a report is sent, in what format and to whom (emails and/or an hmac-signed webhook), cron in the schedule''s own time zone; visible to its owner only. planned_until: the scheduler has planned every run up to this instant.';
create index report_schedules_owner_idx on public.report_schedules (owner_id);
create index report_schedules_report_idx on public.report_schedules (report_id);
create index report_schedules_team_idx on public.report_schedules (team_id);

create table public.report_deliveries (
  id bigint generated always as identity primary key,
  schedule_id uuid not null references public.report_schedules (id) on delete cascade,
  scheduled_for timestamptz not null,
  status text not null default 'pending'
    check (status in ('pending', 'running', 'retrying', 'sent', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  lease_owner text,
  lease_until timestamptz,
  delivered_to text[] not null default '{}',
  last_error text,
  errors jsonb not null default '[]'::jsonb,
  bytes integer,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  unique (schedule_id, scheduled_for)
);
comment on table public.report_deliveries is 'one row per scheduled run of a schedule (unique per schedule and instant, so a run is planned once): its status, attempts, the lease of the process delivering it, the channels already delivered (never sent twice) and each failure; visible to the schedule''s owner.';
create index report_deliveries_due_idx on public.report_deliveries (next_attempt_at)
  where status in ('pending', 'retrying', 'running');

-- ---------------------------------------------------------------------------------------------
-- row level security
-- ---------------------------------------------------------------------------------------------

alter table public.report_definitions enable row level security;
alter table public.report_schedules enable row level security;
alter table public.report_deliveries enable row level security;

create policy report_definitions_select on public.report_definitions
  for select to authenticated
  using (owner_id = (select auth.uid()) or (select app.app_role()) = any (shared_with));
create policy report_definitions_insert on public.report_definitions
  for insert to authenticated
  with check (owner_id = (select auth.uid()) and kind = 'custom'
              and app.is_staff((select app.app_role())));
create policy report_definitions_update on public.report_definitions
  for update to authenticated
  using (owner_id = (select auth.uid()))
  with check (owner_id = (select auth.uid()));
create policy report_definitions_delete on public.report_definitions
  for delete to authenticated
  using (owner_id = (select auth.uid()));

create policy report_schedules_select on public.report_schedules
  for select to authenticated
  using (owner_id = (select auth.uid()));
create policy report_schedules_insert on public.report_schedules
  for insert to authenticated
  with check (owner_id = (select auth.uid()) and app.is_staff((select app.app_role())));
create policy report_schedules_update on public.report_schedules
  for update to authenticated
  using (owner_id = (select auth.uid()))
  with check (owner_id = (select auth.uid()));
create policy report_schedules_delete on public.report_schedules
  for delete to authenticated
  using (owner_id = (select auth.uid()));

create policy report_deliveries_select on public.report_deliveries
  for select to authenticated
  using (exists (
    select 1 from public.report_schedules s
    where s.id = schedule_id and s.owner_id = (select auth.uid())));

grant select, insert, update, delete on public.report_definitions to authenticated;
grant select, insert, update, delete on public.report_schedules to authenticated;
grant select on public.report_deliveries to authenticated;
grant all on public.report_definitions, public.report_schedules, public.report_deliveries
  to service_role;

-- a report may only be scheduled by someone who may read it (the insert policy of schedules
-- sees the definitions through their own policy, so a foreign report is simply not found).
create or replace function app.report_readable(p_report uuid) returns boolean
language sql stable
set search_path = ''
as $$
  select exists (select 1 from public.report_definitions d where d.id = p_report)
$$;
comment on function app.report_readable(uuid) is 'whether the caller may read report p_report (security invoker: the definitions'' own policy decides).';
grant execute on function app.report_readable(uuid) to authenticated;

alter policy report_schedules_insert on public.report_schedules
  with check (owner_id = (select auth.uid()) and app.is_staff((select app.app_role()))
              and app.report_readable(report_id));

-- ---------------------------------------------------------------------------------------------
-- the built-in reports of the seed
-- ---------------------------------------------------------------------------------------------

insert into public.report_definitions (slug, name, kind, shared_with) values
  ('daily-summary', 'Daily Performance Summary', 'daily_summary',
   array['agent', 'team_lead', 'manager', 'executive', 'analyst', 'admin']),
  ('weekly-team', 'Weekly Team Performance', 'weekly_team',
   array['agent', 'team_lead', 'manager', 'executive', 'analyst', 'admin']),
  ('monthly-executive', 'Monthly Executive Summary', 'monthly_executive',
   array['agent', 'team_lead', 'manager', 'executive', 'analyst', 'admin']);
