-- privacy (issue 13), step 1: the data protection officer role, monthly partitions, the audit log.
--
-- dpo: a new application role (public.user_roles, the jwt's app_role claim). a dpo does not see
-- operational data (it is not in app.sees_all): it reads the audit log, finds customers and their
-- contact data (to answer a data subject's request), and runs the privacy functions (export,
-- erasure, consent; next migration). admins can do the same.
--
-- monthly partitions: app.ensure_monthly_partitions creates the partitions of a table partitioned
-- by month in schema `partitions` (not exposed by the api), each with row level security on and
-- no policy (so a partition read directly shows nothing: access goes through the parent and its
-- policies), no privileges for the api roles, and a comment.
--
-- audit log (public.privacy_audit_log): append-only. nobody has update, delete or truncate
-- privileges; a row trigger refuses update and delete and a statement trigger refuses truncate,
-- whoever asks (owners included, unless they drop the triggers). rows arrive through
-- app.audit_append (the gateway's buffered writer: reads of personal data, authentication
-- failures) and app.audit_record (the privacy functions, in their own transaction). rows leave
-- only as whole months past the audit retention, when the retention run detaches and drops their
-- partition (app.drop_audit_partitions_before).

alter table public.user_roles drop constraint user_roles_app_role_check;
alter table public.user_roles add constraint user_roles_app_role_check
  check (app_role in ('agent', 'team_lead', 'manager', 'executive', 'analyst', 'admin', 'dpo'));

create schema if not exists partitions;
comment on schema partitions is 'monthly partitions of partitioned tables (reached through their parents; not exposed by the api).';
revoke all on schema partitions from public;

-- ---------------------------------------------------------------------------------------------
-- partitions
-- ---------------------------------------------------------------------------------------------

create or replace function app.month_partition_name(p_parent text, p_month date) returns text
language sql immutable
set search_path = ''
as $$
  select p_parent || '_p' || pg_catalog.to_char(p_month, 'YYYYMM')
$$;
comment on function app.month_partition_name(text, date) is 'name of the partition of table p_parent holding the month starting p_month.';

create or replace function app.ensure_monthly_partitions(p_parent text, p_from date, p_to date)
returns integer
language plpgsql volatile
set search_path = ''
as $$
declare
  month date := pg_catalog.date_trunc('month', p_from)::date;
  name text;
  created integer := 0;
begin
  while month <= p_to loop
    name := app.month_partition_name(p_parent, month);
    if pg_catalog.to_regclass('partitions.' || name) is null then
      execute pg_catalog.format(
        'create table partitions.%I partition of public.%I for values from (%L) to (%L)',
        name, p_parent, month::timestamptz, (month + interval '1 month')::timestamptz);
      execute pg_catalog.format('alter table partitions.%I enable row level security', name);
      execute pg_catalog.format('revoke all on partitions.%I from public', name);
      execute pg_catalog.format(
        'comment on table partitions.%I is %L', name,
        'partition of public.' || p_parent || ' for ' || pg_catalog.to_char(month, 'YYYY-MM')
        || ' (read through the parent, whose policies apply).');
      created := created + 1;
    end if;
    month := (month + interval '1 month')::date;
  end loop;
  return created;
end;
$$;
comment on function app.ensure_monthly_partitions(text, date, date) is 'creates the missing monthly partitions of public.p_parent (partitioned by a timestamptz range) for every month from p_from to p_to; returns how many were created.';
revoke execute on function app.ensure_monthly_partitions(text, date, date) from public, anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- the audit log
-- ---------------------------------------------------------------------------------------------

create table public.privacy_audit_log (
  id bigint generated always as identity,
  occurred_at timestamptz not null default pg_catalog.clock_timestamp(),
  action text not null check (action in (
    'personal_data_read', 'auth_failure', 'export', 'export_download', 'erase', 'refused',
    'consent_change', 'retention_run', 'admin')),
  actor_user_id uuid,
  actor_role text,
  operation text,
  request_id text,
  customer_id uuid,
  subject_count integer check (subject_count >= 0),
  details jsonb not null default '{}'::jsonb,
  primary key (id, occurred_at)
) partition by range (occurred_at);
comment on table public.privacy_audit_log is 'append-only audit trail: reads of personal data (who, role, which customer or how many, operation, request id), privacy and admin actions, authentication failures; readable by admin and dpo; kept for the audit retention in whole months.';
comment on column public.privacy_audit_log.customer_id is 'the data subject concerned (no foreign key: the record outlives erasure, which leaves only this pseudonymous id).';
comment on column public.privacy_audit_log.subject_count is 'how many customers the read concerned (customer_id names one when it was exactly one).';
comment on column public.privacy_audit_log.details is 'what was done (counts per table for an erasure, the error code of an authentication failure, the consent before and after...).';
create index privacy_audit_log_customer_idx on public.privacy_audit_log (customer_id, occurred_at);
create index privacy_audit_log_id_idx on public.privacy_audit_log (id);
create table partitions.privacy_audit_log_default partition of public.privacy_audit_log default;
alter table partitions.privacy_audit_log_default enable row level security;
comment on table partitions.privacy_audit_log_default is 'rows of public.privacy_audit_log outside the monthly partitions (normally none).';
select app.ensure_monthly_partitions(
  'privacy_audit_log', (pg_catalog.now() - interval '1 month')::date,
  (pg_catalog.now() + interval '3 months')::date);

alter table public.privacy_audit_log enable row level security;
revoke all on public.privacy_audit_log from public, anon, authenticated, service_role;
grant select on public.privacy_audit_log to authenticated, service_role;

create policy privacy_audit_log_select on public.privacy_audit_log
  for select to authenticated
  using ((select app.app_role()) in ('admin', 'dpo'));

create or replace function app.refuse_audit_change() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'the audit log is append-only: % is not allowed', lower(tg_op)
    using errcode = 'insufficient_privilege', table = tg_table_name;
end;
$$;
comment on function app.refuse_audit_change() is 'trigger refusing update, delete and truncate of the audit log, whoever asks.';
revoke execute on function app.refuse_audit_change() from public, anon, authenticated;

create trigger privacy_audit_log_no_change
  before update or delete on public.privacy_audit_log
  for each row execute function app.refuse_audit_change();
create trigger privacy_audit_log_no_truncate
  before truncate on public.privacy_audit_log
  for each statement execute function app.refuse_audit_change();

-- written by the gateway's buffered writer (one call per batch). security definer: the writers
-- (the gateway's pool role, service_role) get no insert privilege on the log itself, so the only
-- way in is this function, which checks each event's shape.
create or replace function app.audit_append(p_events jsonb) returns integer
language sql volatile security definer
set search_path = ''
as $$
  with ins as (
    insert into public.privacy_audit_log
      (occurred_at, action, actor_user_id, actor_role, operation, request_id, customer_id,
       subject_count, details)
    select coalesce(e.occurred_at, pg_catalog.clock_timestamp()), e.action, e.actor_user_id,
           e.actor_role, e.operation, e.request_id, e.customer_id, e.subject_count,
           coalesce(e.details, '{}'::jsonb)
    from pg_catalog.jsonb_to_recordset(p_events) as e(
      occurred_at timestamptz, action text, actor_user_id uuid, actor_role text, operation text,
      request_id text, customer_id uuid, subject_count integer, details jsonb)
    returning 1)
  select count(*)::integer from ins
$$;
comment on function app.audit_append(jsonb) is 'appends a batch of audit events (a json array of {occurred_at, action, actor_user_id, actor_role, operation, request_id, customer_id, subject_count, details}); returns how many.';
revoke execute on function app.audit_append(jsonb) from public, anon, authenticated;
grant execute on function app.audit_append(jsonb) to service_role;

-- written by privacy functions inside their own transaction, as the caller of the jwt.
create or replace function app.audit_record(
  p_action text, p_customer_id uuid, p_subject_count integer, p_details jsonb
) returns void
language sql volatile security definer
set search_path = ''
as $$
  insert into public.privacy_audit_log
    (action, actor_user_id, actor_role, operation, customer_id, subject_count, details)
  values (
    p_action, auth.uid(),
    coalesce(nullif(app.app_role(), ''), auth.role(), session_user::text),
    nullif(pg_catalog.current_setting('request.operation', true), ''),
    p_customer_id, p_subject_count, coalesce(p_details, '{}'::jsonb))
$$;
comment on function app.audit_record(text, uuid, integer, jsonb) is 'appends one audit event for the current caller (jwt sub and app_role; the session user when there is no jwt).';
revoke execute on function app.audit_record(text, uuid, integer, jsonb) from public, anon, authenticated;

-- drops whole months of the audit log past its retention (the only way rows leave it).
create or replace function app.drop_audit_partitions_before(p_before timestamptz) returns integer
language plpgsql volatile
set search_path = ''
as $$
declare
  part record;
  dropped integer := 0;
begin
  for part in
    select c.relname
    from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where i.inhparent = 'public.privacy_audit_log'::regclass
      and n.nspname = 'partitions'
      and c.relname ~ '_p[0-9]{6}$'
      and (pg_catalog.to_date(pg_catalog.right(c.relname, 6), 'YYYYMM') + interval '1 month')
          <= p_before
  loop
    execute pg_catalog.format('alter table public.privacy_audit_log detach partition partitions.%I',
                              part.relname);
    execute pg_catalog.format('drop table partitions.%I', part.relname);
    dropped := dropped + 1;
  end loop;
  perform app.audit_record('retention_run', null, null,
    pg_catalog.jsonb_build_object('data_class', 'audit_log', 'partitions_dropped', dropped,
                                  'before', p_before));
  return dropped;
end;
$$;
comment on function app.drop_audit_partitions_before(timestamptz) is 'retention of the audit log: detaches and drops its monthly partitions that end before p_before; audited; returns how many.';
revoke execute on function app.drop_audit_partitions_before(timestamptz) from public, anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- what a dpo may read: customers and their contact data (to find a data subject)
-- ---------------------------------------------------------------------------------------------

create policy customers_select_dpo on public.customers
  for select to authenticated using ((select app.app_role()) = 'dpo');
create policy customer_contacts_select_dpo on public.customer_contacts
  for select to authenticated using ((select app.app_role()) = 'dpo');
