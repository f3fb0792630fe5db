-- survey and sla statistics scoped and grouped by the ticket's team and agent as copied onto the
-- survey and sla rows (ticket_team_id / ticket_agent_id, kept equal to the ticket's by the
-- triggers of 20261125000100, and included in the sla due_at index), instead of reading them
-- through the ticket. same results; but a team-scoped call no longer makes the planner read every
-- ticket of the team (or all tickets) to find the window's rows — teamPerformance at 1m tickets
-- spent ~300 ms per window and statistic there (explain analyze) — and for the team and agent
-- groupings the ticket join is not needed at all (the other groupings still read the ticket's
-- channel, category, priority, status and tier).

-- surveys sent in [p_from, p_to) (answers counted whenever they arrived). csat histogram 1..5;
-- nps promoters 9-10, passives 7-8, detractors 0-6; ces (1-7, 7 = very easy) count, sum and sum
-- of squares. groups are the surveyed ticket's.
create or replace function analytics.survey_stats(
  p_from timestamptz,
  p_to timestamptz,
  p_group text default null,
  p_team uuid default null,
  p_agent uuid default null,
  p_agent_team uuid default null
) returns table (
  group_key text,
  group_label text,
  sent bigint,
  responded bigint,
  csat_1 bigint,
  csat_2 bigint,
  csat_3 bigint,
  csat_4 bigint,
  csat_5 bigint,
  nps_promoters bigint,
  nps_passives bigint,
  nps_detractors bigint,
  ces_n bigint,
  ces_sum bigint,
  ces_sum_sq bigint
)
language sql stable
as $$
  with surveyed as (
    select
      analytics.group_key(p_group, t.channel, c.path, t.priority, t.status, t.vip_tier,
                          f.ticket_team_id, f.ticket_agent_id) as k,
      f.responded_at,
      f.csat_rating,
      f.nps_score,
      f.ces_score
    from public.support_feedback_surveys f
    left join public.support_tickets t on t.id = f.ticket_id
    left join public.support_categories c on c.id = t.category_id
    where f.sent_at >= p_from and f.sent_at < p_to
      and (p_team is null or f.ticket_team_id = p_team)
      and (p_agent is null or f.ticket_agent_id = p_agent)
      and (p_agent_team is null or f.ticket_agent_id in (
            select a.id from public.agents a where a.team_id = p_agent_team))
      and analytics.check_group(p_group, array['channel', 'category', 'priority', 'status',
                                               'vip_tier', 'team', 'agent'])
  ),
  agg as (
    select
      k,
      count(*) as n_sent,
      count(responded_at) as n_responded,
      count(*) filter (where csat_rating = 1) as n_c1,
      count(*) filter (where csat_rating = 2) as n_c2,
      count(*) filter (where csat_rating = 3) as n_c3,
      count(*) filter (where csat_rating = 4) as n_c4,
      count(*) filter (where csat_rating = 5) as n_c5,
      count(*) filter (where nps_score >= 9) as n_promoters,
      count(*) filter (where nps_score between 7 and 8) as n_passives,
      count(*) filter (where nps_score <= 6) as n_detractors,
      count(ces_score) as n_ces,
      sum(ces_score) as s_ces,
      sum(ces_score * ces_score) as ss_ces
    from surveyed
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
    coalesce(agg.n_sent, 0),
    coalesce(agg.n_responded, 0),
    coalesce(agg.n_c1, 0),
    coalesce(agg.n_c2, 0),
    coalesce(agg.n_c3, 0),
    coalesce(agg.n_c4, 0),
    coalesce(agg.n_c5, 0),
    coalesce(agg.n_promoters, 0),
    coalesce(agg.n_passives, 0),
    coalesce(agg.n_detractors, 0),
    coalesce(agg.n_ces, 0),
    coalesce(agg.s_ces, 0),
    coalesce(agg.ss_ces, 0)
  from keys
  left join agg on agg.k = keys.k
$$;
comment on function analytics.survey_stats(timestamptz, timestamptz, text, uuid, uuid, uuid) is 'per group: surveys sent in [p_from, p_to), responded, csat histogram 1-5, nps promoters/passives/detractors, ces (1-7, 7 = very easy) count, sum and sum of squares.';

-- targets due in [p_from, p_to). the outcome is recomputed from due_at and achieved_at rather than
-- read from the stored status, so that a row still marked pending past its due time is counted as
-- breached: achieved = met at or before due; breached = not achieved and due before the as-of
-- instant least(now(), p_to) (an open ticket past due is breached "now", and a window ending in
-- the past is judged at its end); pending = not achieved and not yet due at that instant.
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
      case when p_group = 'policy' then s.sla_policy_id::text
           else analytics.group_key(p_group, t.channel, c.path, t.priority, t.status,
                                    t.vip_tier, s.ticket_team_id, s.ticket_agent_id)
      end as k,
      s.target_type = 'first_response' as is_fr,
      s.achieved_at is not null and s.achieved_at <= s.due_at as achieved,
      s.due_at < least(now(), p_to) as past_due
    from public.support_sla_compliance s
    left join public.support_tickets t on t.id = s.ticket_id
    left join public.support_categories c on c.id = t.category_id
    where s.due_at >= p_from and s.due_at < p_to
      and (p_team is null or s.ticket_team_id = p_team)
      and (p_agent is null or s.ticket_agent_id = p_agent)
      and (p_agent_team is null or s.ticket_agent_id in (
            select a.id from public.agents a where a.team_id = p_agent_team))
      and analytics.check_group(p_group, array['channel', 'category', 'priority', 'status',
                                               'vip_tier', 'team', 'agent', 'policy'])
  ),
  agg as (
    select
      k,
      count(*) filter (where is_fr and achieved) as n_fr_achieved,
      count(*) filter (where is_fr and not achieved and past_due) as n_fr_breached,
      count(*) filter (where is_fr and not achieved and not past_due) as n_fr_pending,
      count(*) filter (where not is_fr and achieved) as n_res_achieved,
      count(*) filter (where not is_fr and not achieved and past_due) as n_res_breached,
      count(*) filter (where not is_fr and not achieved and not past_due) as n_res_pending
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
comment on function analytics.sla_stats(timestamptz, timestamptz, text, uuid, uuid, uuid) is 'per group (also ''policy''): sla targets due in [p_from, p_to) achieved, breached and pending, by target type, judged as of least(now(), p_to).';
