-- one sla outcome (issue 8): analytics.sla_stats, the sla kpis' function, judges its targets
-- through analytics.sla_outcomes (migration 20261203004000) instead of its own copy of the
-- expressions, so the kpi and the per-entity figures that read analytics.sla_outcomes (vip
-- dedicated agents) share one definition: achieved = met at or before due; breached = not
-- achieved and due before least(p_now, p_to); pending = neither. sla_stats passes now() as
-- p_now, as before. sla_outcomes gains the columns sla_stats groups and scopes by (policy, the
-- ticket's team and agent copies), all covered by support_sla_compliance_due_at_idx, so the kpi
-- keeps its index-only scan.
-- no search_path on either: single-select sql functions postgres inlines into the calling
-- statement (a set clause forbids inlining); every name is schema-qualified.

drop function analytics.sla_outcomes(timestamptz, timestamptz, timestamptz);

create function analytics.sla_outcomes(
  p_from timestamptz,
  p_to timestamptz,
  p_now timestamptz
) returns table (
  ticket_id bigint,
  sla_policy_id integer,
  target_type text,
  ticket_team_id uuid,
  ticket_agent_id uuid,
  achieved boolean,
  breached boolean
)
language sql stable
as $$
  select
    s.ticket_id,
    s.sla_policy_id,
    s.target_type,
    s.ticket_team_id,
    s.ticket_agent_id,
    s.achieved_at is not null and s.achieved_at <= s.due_at,
    not (s.achieved_at is not null and s.achieved_at <= s.due_at)
      and s.due_at < least(p_now, p_to)
  from public.support_sla_compliance s
  where s.due_at >= p_from and s.due_at < p_to
$$;
comment on function analytics.sla_outcomes(timestamptz, timestamptz, timestamptz) is 'the sla population: targets due in [p_from, p_to) with policy and the ticket''s team and agent, achieved (met at or before due) or breached (not achieved, due before least(p_now, p_to)); analytics.sla_stats reads it; no search_path: inlined into the calling statement.';

create or replace function analytics.sla_stats(
  p_from timestamptz,
  p_to timestamptz,
  p_group text default null,
  p_team uuid default null,
  p_agent uuid default null,
  p_agent_team uuid default null
) returns table (
  group_key text,
  group_label text,
  fr_achieved bigint,
  fr_breached bigint,
  fr_pending bigint,
  res_achieved bigint,
  res_breached bigint,
  res_pending bigint
)
language sql stable
as $$
  with targets as (
    select
      case when p_group = 'policy' then o.sla_policy_id::text
           else analytics.group_key(p_group, t.channel, c.path, t.priority, t.status,
                                    t.vip_tier, o.ticket_team_id, o.ticket_agent_id)
      end as k,
      o.target_type = 'first_response' as is_fr,
      o.achieved,
      o.breached
    from analytics.sla_outcomes(p_from, p_to, now()) o
    left join public.support_tickets t on t.id = o.ticket_id
    left join public.support_categories c on c.id = t.category_id
    where (p_team is null or o.ticket_team_id = p_team)
      and (p_agent is null or o.ticket_agent_id = p_agent)
      and (p_agent_team is null or o.ticket_agent_id in (
            select a.id from public.agents a where a.team_id = p_agent_team))
      and analytics.check_group(p_group, array['channel', 'category', 'priority', 'status',
                                               'vip_tier', 'team', 'agent', 'policy'])
  ),
  agg as (
    select
      k,
      count(*) filter (where is_fr and achieved) as n_fr_achieved,
      count(*) filter (where is_fr and breached) as n_fr_breached,
      count(*) filter (where is_fr and not achieved and not breached) as n_fr_pending,
      count(*) filter (where not is_fr and achieved) as n_res_achieved,
      count(*) filter (where not is_fr and breached) as n_res_breached,
      count(*) filter (where not is_fr and not achieved and not breached) as n_res_pending
    from targets
    group by k
  ),
  keys as (
    select k from agg
    union
    select 'all' where p_group is null
  )
  select
    keys.k,
    analytics.group_label(p_group, keys.k),
    coalesce(agg.n_fr_achieved, 0),
    coalesce(agg.n_fr_breached, 0),
    coalesce(agg.n_fr_pending, 0),
    coalesce(agg.n_res_achieved, 0),
    coalesce(agg.n_res_breached, 0),
    coalesce(agg.n_res_pending, 0)
  from keys
  left join agg on agg.k = keys.k
$$;
comment on function analytics.sla_stats(timestamptz, timestamptz, text, uuid, uuid, uuid) is 'per group (also ''policy''): sla targets due in [p_from, p_to) achieved, breached and pending, by target type, judged as of least(now(), p_to) by analytics.sla_outcomes; no search_path: inlined into the calling statement.';
