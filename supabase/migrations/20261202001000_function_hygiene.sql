-- function hygiene (issue 8): execute rights on security definer helpers, a fixed search_path on
-- every function that can take one, and policies that call no helper per row.
--
-- 1. security definer helpers run with their owner's rights, so only the roles whose queries
--    need them may execute them. functions are executable by public by default, and migration
--    20261125000200 granted every app function to anon as well; anon has no policy that uses
--    these helpers (every policy is `to authenticated`), so anon and public lose them.
--    authenticated keeps them (its policies and queries call them); service_role gets them for
--    the gateway's own statements (realtime visibility).
-- 2. search_path: every function gets `set search_path = ''` (and schema-qualified names), except
--    sql functions that postgres must inline: a `set` clause forbids inlining, and an inlined
--    predicate or statistics function costs nanoseconds per row where a call costs microseconds.
--    each of those carries a comment ending in "no search_path: <reason>", which the catalog test
--    (tests/schema/test_database_catalog.py) requires of every function without one.
-- 3. policies: `app.agent_team(agent_id)` ran once per row (a security definer call is never
--    inlined). the led team's agents are now read once per statement, `(select
--    app.viewer_lead_team_agents())`, and the visibility rules take them as an array.

-- 1. execute on security definer helpers -------------------------------------------------------
revoke execute on function app.current_agent_id() from public, anon;
revoke execute on function app.current_team_id() from public, anon;
revoke execute on function app.agent_team(uuid) from public, anon;
grant execute on function app.current_agent_id() to authenticated, service_role;
grant execute on function app.current_team_id() to authenticated, service_role;
grant execute on function app.agent_team(uuid) to authenticated, service_role;

-- 2. a fixed search_path where inlining does not matter -----------------------------------------
-- the viewer scope helpers are evaluated once per statement (`(select ...)` in every caller).
alter function app.viewer_sees_all() set search_path = '';
alter function app.viewer_lead_team() set search_path = '';
alter function app.viewer_self_agent() set search_path = '';
-- plpgsql is never inlined.
alter function analytics.check_group(text, text[]) set search_path = '';

-- the deliberate exceptions, each with its reason.
comment on function app.sees_all(text) is
  'roles that see every row of operational data. no search_path: an immutable predicate inlined into rls policies; it uses only its argument.';
comment on function app.is_staff(text) is
  'any application role (reference data is visible to all staff). no search_path: an immutable predicate inlined into rls policies; it uses only its argument.';
comment on function app.ticket_access(boolean, uuid, uuid, uuid, uuid) is
  'whether a viewer scope (sees all, led team, own agent) may see a ticket of (team, agent). no search_path: the rls predicate of every ticket table, inlined per row; it uses only its arguments.';
comment on function app.ticket_visible_to(text, uuid, uuid, uuid, uuid) is
  'whether a viewer (role, agent, team) may see a ticket of (team, agent). no search_path: inlined into the realtime visibility statement; only schema-qualified calls on its arguments.';
comment on function app.agent_record_access(boolean, uuid, uuid, uuid, uuid) is
  'whether a viewer scope may see a record about an agent of a given team. no search_path: an immutable predicate inlined per row; it uses only its arguments.';
comment on function app.agent_record_visible_to(text, uuid, uuid, uuid, uuid) is
  'whether a viewer (role, agent, team) may see a record about an agent of a given team. no search_path: inlined into the realtime visibility statement; only schema-qualified calls on its arguments.';
comment on function app.alert_access(boolean, uuid, uuid, uuid, uuid, uuid) is
  'whether a viewer scope (sees all, led team, own agent) may see an alert of (team, agent''s team, agent). no search_path: an immutable predicate inlined per row; it uses only its arguments.';
comment on function app.alert_visible_to(text, uuid, uuid, uuid, uuid) is
  'whether a viewer (role, agent, team) may see an alert of (team, agent). no search_path: inlined into the realtime visibility statement; only schema-qualified names.';
comment on function analytics.group_key(text, text, text, text, text, text, uuid, uuid) is
  'the group key of a ticket for a grouping (channel, category root, priority, status, vip tier, team, agent). no search_path: inlined per row into the statistics functions; only its arguments.';
comment on function analytics.group_label(text, text) is
  'human label of a group key: team, agent, root category or sla policy name; the key itself otherwise. no search_path: inlined into the statistics functions; schema-qualified names only.';

do $$
declare
  f regprocedure;
begin
  -- the statistics functions: inlined into the named queries so that their window and scope
  -- arguments become index conditions (migration 20261125000400); schema-qualified names only.
  for f in
    select p.oid::regprocedure
    from pg_catalog.pg_proc p
    join pg_catalog.pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'analytics' and p.prolang = (select oid from pg_catalog.pg_language where lanname = 'sql')
      and p.proconfig is null
      and p.proname in ('agent_stats', 'backlog_at', 'backlog_series', 'queue_stats', 'sla_stats',
                        'survey_stats', 'ticket_distribution', 'ticket_stats', 'vip_stats',
                        'workforce_stats')
  loop
    execute format(
      'comment on function %s is %L', f,
      coalesce(obj_description(f, 'pg_proc') || ' ', '')
        || 'no search_path: inlined into its named query so the window and scope become index conditions; schema-qualified names only.');
  end loop;
end
$$;

-- 3. policies without per-row helper calls ------------------------------------------------------
create or replace function app.viewer_lead_team_agents() returns uuid[]
language sql stable
set search_path = ''
as $$
  select case when app.app_role() = 'team_lead' then
    array(select a.id from public.agents a where a.team_id = app.current_team_id())
  end
$$;
comment on function app.viewer_lead_team_agents() is
  'the agents of the team the caller leads, when their role is team_lead (null otherwise); policies read it once per statement.';

create or replace function app.agent_record_access_in(
  sees_all boolean, led_agents uuid[], self_agent uuid, record_agent uuid
) returns boolean
language sql immutable
as $$
  select coalesce(sees_all or record_agent = any (led_agents) or record_agent = self_agent, false)
$$;
comment on function app.agent_record_access_in(boolean, uuid[], uuid, uuid) is
  'app.agent_record_access with the led team given by its agents (read once per statement): whether a viewer scope may see a record about an agent. no search_path: an immutable predicate inlined per row; it uses only its arguments.';

create or replace function app.alert_access_in(
  sees_all boolean, lead_team uuid, led_agents uuid[], self_agent uuid, alert_team uuid,
  alert_agent uuid
) returns boolean
language sql immutable
as $$
  select coalesce(sees_all or alert_team = lead_team or alert_agent = any (led_agents)
                  or alert_agent = self_agent, false)
$$;
comment on function app.alert_access_in(boolean, uuid, uuid[], uuid, uuid, uuid) is
  'app.alert_access with the led team''s agents given once per statement: whether a viewer scope may see an alert of (team, agent). no search_path: an immutable predicate inlined per row; it uses only its arguments.';

revoke execute on function app.viewer_lead_team_agents() from public, anon;
revoke execute on function app.agent_record_access_in(boolean, uuid[], uuid, uuid) from public, anon;
revoke execute on function app.alert_access_in(boolean, uuid, uuid[], uuid, uuid, uuid) from public, anon;
grant execute on function app.viewer_lead_team_agents() to authenticated, service_role;
grant execute on function app.agent_record_access_in(boolean, uuid[], uuid, uuid) to authenticated, service_role;
grant execute on function app.alert_access_in(boolean, uuid, uuid[], uuid, uuid, uuid) to authenticated, service_role;

alter policy customers_select on public.customers using (
  (select app.viewer_sees_all())
  or app.agent_record_access_in((select app.viewer_sees_all()), (select app.viewer_lead_team_agents()),
                                (select app.viewer_self_agent()), dedicated_agent_id)
  or exists (select 1 from public.support_tickets t where t.customer_id = customers.id)
);

alter policy support_agents_metrics_select on public.support_agents_metrics using (
  app.agent_record_access_in((select app.viewer_sees_all()), (select app.viewer_lead_team_agents()),
                             (select app.viewer_self_agent()), agent_id)
);
alter policy support_qa_evaluations_select on public.support_qa_evaluations using (
  app.agent_record_access_in((select app.viewer_sees_all()), (select app.viewer_lead_team_agents()),
                             (select app.viewer_self_agent()), agent_id)
);
alter policy support_training_records_select on public.support_training_records using (
  app.agent_record_access_in((select app.viewer_sees_all()), (select app.viewer_lead_team_agents()),
                             (select app.viewer_self_agent()), agent_id)
);

alter policy support_alerts_select on public.support_alerts using (
  app.alert_access_in((select app.viewer_sees_all()), (select app.viewer_lead_team()),
                      (select app.viewer_lead_team_agents()), (select app.viewer_self_agent()),
                      team_id, agent_id)
);
alter policy support_alerts_update on public.support_alerts
  using (
    (select app.app_role()) in ('manager', 'admin', 'executive')
    or ((select app.app_role()) = 'team_lead'
        and (team_id = (select app.current_team_id())
             or agent_id = any ((select app.viewer_lead_team_agents())::uuid[])))
  )
  with check (
    (select app.app_role()) in ('manager', 'admin', 'executive')
    or ((select app.app_role()) = 'team_lead'
        and (team_id = (select app.current_team_id())
             or agent_id = any ((select app.viewer_lead_team_agents())::uuid[])))
  );

alter policy support_change_log_select on public.support_change_log using (
  case table_name
    when 'support_queue_metrics' then app.is_staff((select app.app_role()))
    when 'support_alerts' then
      app.alert_access_in((select app.viewer_sees_all()), (select app.viewer_lead_team()),
                          (select app.viewer_lead_team_agents()), (select app.viewer_self_agent()),
                          team_id, agent_id)
    else app.ticket_access((select app.viewer_sees_all()), (select app.viewer_lead_team()),
                           (select app.viewer_self_agent()), team_id, agent_id)
  end
);
