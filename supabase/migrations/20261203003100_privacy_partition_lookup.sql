-- privacy (issue 13), partition lookups: a ticket's interactions are read from the partitions
-- that can hold them, not from every month.
--
-- partitioning interactions by month made a per-ticket lookup (the latest interactions of a page
-- of tickets) slow: its plan covers every monthly partition (18, most empty: 13 months back and 3
-- ahead were created up front), and the gateway plans every statement afresh
-- (plan_cache_mode = force_custom_plan, which its optional filters need), so each lookup paid
-- 2-10 ms of planning for ~1.5 ms of execution. three changes:
--   * the lookup is app.latest_interactions, whose one statement keeps a generic plan per
--     connection (set plan_cache_mode = force_generic_plan on the function): planned once, then
--     only executed. security invoker: row level security applies as to the caller's own query.
--   * it bounds created_at below by the ticket's own created_at, so the executor skips, per
--     ticket, every month before it (run-time partition pruning of the parameterised scan). the
--     bound is exact: an interaction cannot precede its ticket, which the trigger below now
--     guarantees.
--   * months are created one ahead (the retention run, hourly, keeps the next month there), and
--     the empty partitions further ahead are dropped here.

create or replace function app.require_interaction_after_ticket() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if exists (select 1 from public.support_tickets t
             where t.id = new.ticket_id and new.created_at < t.created_at) then
    raise exception 'an interaction (%) cannot precede its ticket %', new.created_at, new.ticket_id
      using errcode = 'check_violation', table = tg_table_name, column = 'created_at';
  end if;
  return new;
end;
$$;
comment on function app.require_interaction_after_ticket() is 'before insert or update trigger on interactions: created_at is not before its ticket''s (the per-ticket lookups bound their partition scans with it). security definer: reads the ticket whatever the writer''s rights.';
revoke execute on function app.require_interaction_after_ticket() from public, anon, authenticated;
create trigger support_interactions_after_ticket
  before insert or update of ticket_id, created_at on public.support_interactions
  for each row execute function app.require_interaction_after_ticket();

create or replace function app.latest_interactions(p_ticket_ids bigint[], p_limit integer)
returns table (interaction public.support_interactions, body text, body_visible boolean)
language sql stable
set search_path = ''
set plan_cache_mode = 'force_generic_plan'
as $$
  select i.interaction, b.body, (b.interaction_id is not null)
  from pg_catalog.unnest(p_ticket_ids) as wanted (ticket_id)
  join public.support_tickets t on t.id = wanted.ticket_id
  cross join lateral (
    select x from public.support_interactions x
    where x.ticket_id = wanted.ticket_id and x.created_at >= t.created_at
    order by x.created_at desc, x.id desc
    limit p_limit
  ) i (interaction)
  left join public.support_interaction_bodies b on b.interaction_id = (i.interaction).id
$$;
comment on function app.latest_interactions(bigint[], integer) is 'the latest p_limit interactions of each ticket, newest first, with the message body where row level security lets the caller read it; one generic plan per connection (see the migration header). security invoker: the caller''s policies apply.';
revoke execute on function app.latest_interactions(bigint[], integer) from public, anon;
grant execute on function app.latest_interactions(bigint[], integer) to authenticated, service_role;

-- drops the monthly partitions of p_parent for months after p_last_month that hold no row
create or replace function app.drop_empty_partitions_after(p_parent text, p_last_month date)
returns integer
language plpgsql volatile
set search_path = ''
as $$
declare
  p record;
  has_rows boolean;
  dropped integer := 0;
begin
  for p in
    select c.relname::text as name, pg_catalog.to_date(pg_catalog.right(c.relname, 6), 'YYYYMM') as month
    from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where i.inhparent = ('public.' || pg_catalog.quote_ident(p_parent))::pg_catalog.regclass
      and n.nspname = 'partitions' and c.relname ~ '_p[0-9]{6}$'
  loop
    continue when p.month <= p_last_month;
    execute pg_catalog.format('select exists (select 1 from partitions.%I)', p.name) into has_rows;
    continue when has_rows;
    execute pg_catalog.format('drop table partitions.%I', p.name);
    dropped := dropped + 1;
  end loop;
  return dropped;
end;
$$;
comment on function app.drop_empty_partitions_after(text, date) is 'drops the empty monthly partitions of a table for months after p_last_month (partitions are created one month ahead; emptier ones only slow lookups down).';
revoke execute on function app.drop_empty_partitions_after(text, date) from public, anon, authenticated;

select app.drop_empty_partitions_after(t, (pg_catalog.date_trunc('month', pg_catalog.now()) + interval '1 month')::date)
from pg_catalog.unnest(array['support_interactions', 'support_change_log', 'privacy_audit_log']) t;
