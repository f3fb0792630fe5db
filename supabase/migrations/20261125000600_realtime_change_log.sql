-- realtime change capture: a change log filled by triggers, announced with pg_notify.
--
-- every committed change to tickets, ticket interactions, queue metrics and alerts appends rows to
-- public.support_change_log, numbered by a sequence (seq), in the same transaction as the change.
-- the trigger then sends pg_notify('support_changes', <highest seq of the statement>); the payload
-- is only a wake-up call: the gateway's realtime hub reads the rows themselves with
-- "seq > last seen", so a notification lost while the hub was disconnected loses nothing.
--
-- columns
--   seq            order of allocation (not of commit: a transaction that commits late can make a
--                  lower seq appear after a higher one; the hub tracks such gaps, see
--                  gateway/realtime/cursor.py)
--   xact_id        the writing transaction (pg_current_xact_id), so the hub can pick up rows of
--                  transactions that were still running when it started
--   team_id / agent_id          the row's team and agent after the change (for a delete: before
--                               it); for an interaction, its ticket's team and assigned agent
--   old_team_id / old_agent_id  before the change (updates and deletes)
--   old_row / new_row           the columns a subscriber filters on before the change, and the
--                               row after it (tickets, queue metrics and alerts: the whole row,
--                               none of which is personal data; interactions: metadata only, never
--                               the message body)
--
-- visibility of change rows reuses the definitions of the tables' own policies:
-- app.ticket_access / app.ticket_visible_to for tickets and interactions, app.alert_access /
-- app.alert_visible_to (defined here; the support_alerts select policy now uses the same
-- predicate, so alerts have one definition too) for alerts, and app.is_staff for queue metrics.
--
-- retention: rows older than a day are pruned by app.prune_change_log (called by the gateway's hub
-- every few minutes, or by pg_cron where available); a hub disconnected for longer than the
-- retention restarts from the newest row.
--
-- seeding with session_replication_role = replica skips these triggers: bulk loads do not flood
-- the log.

create table public.support_change_log (
  seq bigserial primary key,
  table_name text not null
    check (table_name in ('support_tickets', 'support_interactions', 'support_queue_metrics',
                          'support_alerts')),
  op text not null check (op in ('INSERT', 'UPDATE', 'DELETE')),
  row_id bigint not null,
  ticket_id bigint,
  team_id uuid,
  agent_id uuid,
  old_team_id uuid,
  old_agent_id uuid,
  old_row jsonb,
  new_row jsonb,
  xact_id bigint not null default (pg_catalog.pg_current_xact_id()::text)::bigint,
  created_at timestamptz not null default pg_catalog.clock_timestamp()
);
comment on table public.support_change_log is 'committed changes to tickets, interactions, queue metrics and alerts, in sequence order, for the realtime hub; pruned after a day.';
comment on column public.support_change_log.seq is 'allocation order of the change; the hub reads rows with seq above what it has delivered.';
comment on column public.support_change_log.xact_id is 'the writing transaction (pg_current_xact_id as a number).';
comment on column public.support_change_log.old_row is 'filterable columns before the change (updates and deletes).';
comment on column public.support_change_log.new_row is 'the row after the change (interactions: metadata only, never the body).';
create index support_change_log_created_at_idx on public.support_change_log (created_at);
create index support_change_log_xact_id_idx on public.support_change_log (xact_id);

alter table public.support_change_log enable row level security;

-- the live dashboard's median first response of a window.
create index support_tickets_first_response_at_idx on public.support_tickets (first_response_at)
  where first_response_at is not null;

-- ---------------------------------------------------------------------------------------------
-- one definition of alert visibility, for the policy and for the hub (in the style of
-- app.ticket_access / app.ticket_visible_to: an inlinable predicate over a viewer scope, and the
-- same rule for an explicit viewer)
-- ---------------------------------------------------------------------------------------------

create or replace function app.alert_access(
  sees_all boolean, lead_team uuid, self_agent uuid, alert_team uuid, alert_agent_team uuid,
  alert_agent uuid
) returns boolean
language sql immutable
as $$
  select coalesce(
    sees_all or lead_team in (alert_team, alert_agent_team) or alert_agent = self_agent, false)
$$;
comment on function app.alert_access(boolean, uuid, uuid, uuid, uuid, uuid) is 'whether a viewer scope (sees all, led team, own agent) may see an alert of (team, agent''s team, agent): management all, a lead their team''s and its agents'', an agent their own.';

create or replace function app.alert_visible_to(
  viewer_role text, viewer_agent uuid, viewer_team uuid, alert_team uuid, alert_agent uuid
) returns boolean
language sql stable
as $$
  select app.alert_access(
    app.sees_all(viewer_role),
    case when viewer_role = 'team_lead' then viewer_team end,
    case when viewer_role = 'agent' then viewer_agent end,
    alert_team,
    app.agent_team(alert_agent),
    alert_agent)
$$;
comment on function app.alert_visible_to(text, uuid, uuid, uuid, uuid) is 'whether a viewer (role, agent, team) may see an alert of (team, agent).';
grant execute on function app.alert_access(boolean, uuid, uuid, uuid, uuid, uuid)
  to anon, authenticated;
grant execute on function app.alert_visible_to(text, uuid, uuid, uuid, uuid) to anon, authenticated;

-- the same rule as before, now through the shared predicate.
alter policy support_alerts_select on public.support_alerts
  using (app.alert_access(
    (select app.viewer_sees_all()), (select app.viewer_lead_team()),
    (select app.viewer_self_agent()), team_id, app.agent_team(agent_id), agent_id));

-- ---------------------------------------------------------------------------------------------
-- who may read the log: exactly who may see the row it is about
-- ---------------------------------------------------------------------------------------------

grant select on public.support_change_log to authenticated;
grant all on public.support_change_log to service_role;
grant usage, select on sequence public.support_change_log_seq_seq to service_role;

create policy support_change_log_select on public.support_change_log
  for select to authenticated
  using (
    case table_name
      when 'support_queue_metrics' then app.is_staff((select app.app_role()))
      when 'support_alerts' then app.alert_access(
        (select app.viewer_sees_all()), (select app.viewer_lead_team()),
        (select app.viewer_self_agent()), team_id, app.agent_team(agent_id), agent_id)
      else app.ticket_access(
        (select app.viewer_sees_all()), (select app.viewer_lead_team()),
        (select app.viewer_self_agent()), team_id, agent_id)
    end);

-- ---------------------------------------------------------------------------------------------
-- trigger functions (statement level, with transition tables: one insert and one notification
-- per statement, however many rows it touched). security definer: the writer (an authenticated
-- user acknowledging an alert, say) may not insert into the log itself.
-- ---------------------------------------------------------------------------------------------

create or replace function app.notify_changes(p_last_seq bigint) returns void
language sql volatile
set search_path = ''
as $$
  select pg_catalog.pg_notify('support_changes', p_last_seq::text) where p_last_seq is not null
$$;
comment on function app.notify_changes(bigint) is 'wakes the realtime hubs up (channel support_changes, payload the highest new seq).';

create or replace function app.log_ticket_changes() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  last_seq bigint;
begin
  if tg_op = 'INSERT' then
    with ins as (
      insert into public.support_change_log
        (table_name, op, row_id, ticket_id, team_id, agent_id, new_row)
      select 'support_tickets', 'INSERT', n.id, n.id, n.team_id, n.assigned_agent_id, to_jsonb(n)
      from new_rows n
      order by n.id
      returning seq)
    select max(seq) into last_seq from ins;
  elsif tg_op = 'UPDATE' then
    with ins as (
      insert into public.support_change_log
        (table_name, op, row_id, ticket_id, team_id, agent_id, old_team_id, old_agent_id,
         old_row, new_row)
      select 'support_tickets', 'UPDATE', n.id, n.id, n.team_id, n.assigned_agent_id,
             o.team_id, o.assigned_agent_id,
             jsonb_build_object('status', o.status, 'priority', o.priority, 'team_id', o.team_id,
                                'assigned_agent_id', o.assigned_agent_id, 'vip_tier', o.vip_tier),
             to_jsonb(n)
      from new_rows n
      join old_rows o on o.id = n.id
      where o is distinct from n
      order by n.id
      returning seq)
    select max(seq) into last_seq from ins;
  else
    with ins as (
      insert into public.support_change_log
        (table_name, op, row_id, ticket_id, team_id, agent_id, old_team_id, old_agent_id, old_row)
      select 'support_tickets', 'DELETE', o.id, o.id, o.team_id, o.assigned_agent_id,
             o.team_id, o.assigned_agent_id,
             jsonb_build_object('status', o.status, 'priority', o.priority, 'team_id', o.team_id,
                                'assigned_agent_id', o.assigned_agent_id, 'vip_tier', o.vip_tier)
      from old_rows o
      order by o.id
      returning seq)
    select max(seq) into last_seq from ins;
  end if;
  perform app.notify_changes(last_seq);
  return null;
end;
$$;
comment on function app.log_ticket_changes() is 'statement trigger on support_tickets: logs inserted, changed (rows that differ) and deleted tickets, then notifies.';

create or replace function app.log_interaction_changes() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  last_seq bigint;
begin
  with ins as (
    insert into public.support_change_log
      (table_name, op, row_id, ticket_id, team_id, agent_id, new_row)
    select 'support_interactions', 'INSERT', i.id, i.ticket_id, t.team_id, t.assigned_agent_id,
           jsonb_build_object('id', i.id, 'ticket_id', i.ticket_id, 'author_type', i.author_type,
                              'agent_id', i.agent_id, 'channel', i.channel,
                              'is_public', i.is_public, 'created_at', i.created_at)
    from new_rows i
    left join public.support_tickets t on t.id = i.ticket_id
    order by i.id
    returning seq)
  select max(seq) into last_seq from ins;
  perform app.notify_changes(last_seq);
  return null;
end;
$$;
comment on function app.log_interaction_changes() is 'statement trigger on support_interactions: logs new interactions as changes of their ticket (no message body), then notifies.';

create or replace function app.log_queue_metric_changes() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  last_seq bigint;
begin
  if tg_op = 'DELETE' then
    with ins as (
      insert into public.support_change_log (table_name, op, row_id, old_row)
      select 'support_queue_metrics', 'DELETE', o.id, jsonb_build_object('queue', o.queue)
      from old_rows o
      order by o.id
      returning seq)
    select max(seq) into last_seq from ins;
  else
    with ins as (
      insert into public.support_change_log (table_name, op, row_id, new_row)
      select 'support_queue_metrics', tg_op, n.id, to_jsonb(n)
      from new_rows n
      order by n.id
      returning seq)
    select max(seq) into last_seq from ins;
  end if;
  perform app.notify_changes(last_seq);
  return null;
end;
$$;
comment on function app.log_queue_metric_changes() is 'statement trigger on support_queue_metrics: logs buckets inserted, updated or deleted, then notifies.';

create or replace function app.log_alert_changes() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  last_seq bigint;
begin
  if tg_op = 'INSERT' then
    with ins as (
      insert into public.support_change_log (table_name, op, row_id, ticket_id, team_id, agent_id,
                                             new_row)
      select 'support_alerts', 'INSERT', n.id, n.ticket_id, n.team_id, n.agent_id, to_jsonb(n)
      from new_rows n
      order by n.id
      returning seq)
    select max(seq) into last_seq from ins;
  elsif tg_op = 'UPDATE' then
    with ins as (
      insert into public.support_change_log
        (table_name, op, row_id, ticket_id, team_id, agent_id, old_team_id, old_agent_id, old_row,
         new_row)
      select 'support_alerts', 'UPDATE', n.id, n.ticket_id, n.team_id, n.agent_id,
             o.team_id, o.agent_id, jsonb_build_object('status', o.status), to_jsonb(n)
      from new_rows n
      join old_rows o on o.id = n.id
      where o is distinct from n
      order by n.id
      returning seq)
    select max(seq) into last_seq from ins;
  else
    with ins as (
      insert into public.support_change_log
        (table_name, op, row_id, ticket_id, team_id, agent_id, old_team_id, old_agent_id, old_row)
      select 'support_alerts', 'DELETE', o.id, o.ticket_id, o.team_id, o.agent_id,
             o.team_id, o.agent_id, jsonb_build_object('status', o.status)
      from old_rows o
      order by o.id
      returning seq)
    select max(seq) into last_seq from ins;
  end if;
  perform app.notify_changes(last_seq);
  return null;
end;
$$;
comment on function app.log_alert_changes() is 'statement trigger on support_alerts: logs raised, changed and deleted alerts, then notifies.';

-- new functions are executable by public by default; these are for triggers and the hub only.
revoke execute on function app.notify_changes(bigint) from public, anon, authenticated;
revoke execute on function app.log_ticket_changes() from public, anon, authenticated;
revoke execute on function app.log_interaction_changes() from public, anon, authenticated;
revoke execute on function app.log_queue_metric_changes() from public, anon, authenticated;
revoke execute on function app.log_alert_changes() from public, anon, authenticated;

create trigger support_tickets_log_insert after insert on public.support_tickets
  referencing new table as new_rows
  for each statement execute function app.log_ticket_changes();
create trigger support_tickets_log_update after update on public.support_tickets
  referencing old table as old_rows new table as new_rows
  for each statement execute function app.log_ticket_changes();
create trigger support_tickets_log_delete after delete on public.support_tickets
  referencing old table as old_rows
  for each statement execute function app.log_ticket_changes();

create trigger support_interactions_log_insert after insert on public.support_interactions
  referencing new table as new_rows
  for each statement execute function app.log_interaction_changes();

create trigger support_queue_metrics_log_insert after insert on public.support_queue_metrics
  referencing new table as new_rows
  for each statement execute function app.log_queue_metric_changes();
create trigger support_queue_metrics_log_update after update on public.support_queue_metrics
  referencing old table as old_rows new table as new_rows
  for each statement execute function app.log_queue_metric_changes();
create trigger support_queue_metrics_log_delete after delete on public.support_queue_metrics
  referencing old table as old_rows
  for each statement execute function app.log_queue_metric_changes();

create trigger support_alerts_log_insert after insert on public.support_alerts
  referencing new table as new_rows
  for each statement execute function app.log_alert_changes();
create trigger support_alerts_log_update after update on public.support_alerts
  referencing old table as old_rows new table as new_rows
  for each statement execute function app.log_alert_changes();
create trigger support_alerts_log_delete after delete on public.support_alerts
  referencing old table as old_rows
  for each statement execute function app.log_alert_changes();

-- ---------------------------------------------------------------------------------------------
-- retention
-- ---------------------------------------------------------------------------------------------

create or replace function app.prune_change_log(p_keep interval default interval '1 day')
returns bigint
language sql volatile security definer
set search_path = ''
as $$
  with gone as (
    delete from public.support_change_log
    where created_at < pg_catalog.now() - p_keep
    returning 1)
  select count(*) from gone
$$;
comment on function app.prune_change_log(interval) is 'deletes change log rows older than p_keep (default a day); returns how many.';
revoke execute on function app.prune_change_log(interval) from public, anon, authenticated;
