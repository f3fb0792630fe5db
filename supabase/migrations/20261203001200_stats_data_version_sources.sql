-- statistics (issue 10): the statistics cache's data version also moves when rows outside the
-- change log change.
--
-- analytics.data_version() was the newest support_change_log sequence number, which moves on
-- writes to tickets, interactions (inserts), queue metrics and alerts only. surveys, sla rows,
-- agent-day metrics, qa evaluations, vip periods, customers, calendars, categories, and the
-- organisation (agents, teams, user_roles: who leads or belongs to which team, which decides the
-- rows row level security shows a team lead or an agent) were not in it, so cached statistics
-- could be stale for up to the cache's ttl.
--
-- analytics.stats_source_changes gets one row per writing statement on those tables (a
-- statement-level trigger: one insert per statement, whatever its row count). inserts take no
-- lock that other writers wait for (unlike bumping one counter row, which would serialise every
-- writer of these tables until commit), and the row commits with the change, so a reader never
-- sees the new version before the new data. writes made by other triggers (depth > 1: the copy of
-- a ticket's team onto its surveys, the status history a ticket update writes, cascades) are not
-- noted: the statement that caused them is (in the change log or here).
--
-- like the change log, seq is allocation order, not commit order: a transaction that commits
-- late with a lower seq does not move the maximum. the gateway's cache also expires entries
-- after its ttl, which bounds that case.
create table analytics.stats_source_changes (
  seq bigint generated always as identity primary key,
  table_name text not null,
  changed_at timestamptz not null default now()
);
comment on table analytics.stats_source_changes is 'one row per writing statement on a table the statistics read that is not in support_change_log; max(seq) is part of analytics.data_version(). readable by no user role.';
comment on column analytics.stats_source_changes.table_name is 'the table the statement wrote.';
alter table analytics.stats_source_changes enable row level security;
revoke all on analytics.stats_source_changes from public, anon, authenticated;

create or replace function app.note_stats_source_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if pg_trigger_depth() = 1 then
    insert into analytics.stats_source_changes (table_name) values (tg_table_name);
  end if;
  return null;
end;
$$;
comment on function app.note_stats_source_change() is 'statement-level trigger: notes a write to a statistics source outside the change log (security definer: writers need no right on analytics.stats_source_changes).';
revoke execute on function app.note_stats_source_change() from public, anon, authenticated;

do $$
declare
  t text;
begin
  foreach t in array array[
    'support_feedback_surveys', 'support_sla_compliance', 'support_agents_metrics',
    'support_qa_evaluations', 'support_vip_tracking', 'support_ticket_status_history',
    'customers', 'agents', 'teams', 'user_roles', 'support_categories',
    'support_business_calendars', 'support_calendar_holidays', 'support_sla_policies']
  loop
    execute format(
      'create trigger %I after insert or update or delete or truncate on public.%I '
      'for each statement execute function app.note_stats_source_change()',
      t || '_stats_version', t);
  end loop;
end;
$$;
-- interaction inserts are in the change log already; updates and deletes are not.
create trigger support_interactions_stats_version
  after update or delete or truncate on public.support_interactions
  for each statement execute function app.note_stats_source_change();

create or replace function analytics.data_version()
returns bigint
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((select max(c.seq) from public.support_change_log c), 0)::bigint
       + coalesce((select max(s.seq) from analytics.stats_source_changes s), 0)::bigint
$$;
comment on function analytics.data_version() is 'a data version for caches: newest support_change_log seq plus newest stats_source_changes seq; both only grow, so the sum moves whenever either does (security definer: reveals a number, no rows).';
