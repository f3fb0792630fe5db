-- kpi aggregation functions (schema analytics): sufficient statistics per group, never raw rows.
--
-- every function here is security invoker (the default) and stable, so row level security of the
-- caller applies to the rows aggregated: an agent's figures come from the agent's tickets only, a
-- team lead's from the team's. the definitions are ../METRICS.md's; python (analytics/statistics)
-- turns the counts, sums and sums of squares returned here into estimates with confidence
-- intervals.
--
-- conventions
--   * windows are half-open [p_from, p_to) in instants; predicates are written on the indexed
--     column alone (created_at, resolved_at, due_at, sent_at, bucket_start) so they are sargable.
--   * durations are seconds (double precision, date_part of the interval: exact to the microsecond).
--   * percentiles are percentile_cont (linear interpolation between order statistics).
--   * p_group picks the grouping from a closed set, checked by analytics.check_group; null means one
--     overall row whose key is 'all' (always returned, with zero counts on an empty window). a
--     missing team or agent is the key 'none'; a ticket without vip tier is 'standard'; 'category'
--     is the root category's slug (first segment of support_categories.path).
--   * optional scope filters: p_team = the ticket's team, p_agent = the ticket's assigned agent,
--     p_agent_team = tickets assigned to an agent of that team (team performance views).
--   * counts are never null; sums are 0 and medians/percentiles null when nothing was measured.
--   * sla targets and surveys reach their ticket through a left join on its primary key. it finds
--     the ticket for every row the caller sees (their policies require a visible ticket), so it is
--     an inner join in effect, but one the planner removes when no ticket column is needed (the
--     overall, unscoped figures), instead of joining every ticket of the table.
--   * the table functions are single-select sql functions without set options so that postgres
--     inlines them into the calling statement: the caller's parameters then reach the planner as
--     constants, the optional filters and the grouping case fold away, and the window predicates
--     become index conditions. for that reason they carry no "set search_path"; every reference is
--     schema-qualified instead (and, being security invoker, they run with the caller's rights).

create schema if not exists analytics;
comment on schema analytics is 'kpi aggregation functions (security invoker, stable): sufficient statistics under the caller''s row level security.';

-- ---------------------------------------------------------------------------------------------
-- grouping helpers
-- ---------------------------------------------------------------------------------------------

create or replace function analytics.check_group(p_group text, p_allowed text[]) returns boolean
language plpgsql immutable
as $$
begin
  if p_group is not null and not (p_group = any (p_allowed)) then
    raise exception 'unknown group %; valid groups: %', p_group, array_to_string(p_allowed, ', ')
      using errcode = '22023';
  end if;
  return true;
end;
$$;
comment on function analytics.check_group(text, text[]) is 'true when p_group is null or one of p_allowed; raises invalid_parameter_value (22023) listing the valid groups otherwise.';

-- a plain case expression, inlined by the planner; with a constant p_group it folds to one column.
create or replace function analytics.group_key(
  p_group text,
  p_channel text,
  p_category_path text,
  p_priority text,
  p_status text,
  p_vip_tier text,
  p_team_id uuid,
  p_agent_id uuid
) returns text
language sql immutable parallel safe
as $$
  select case p_group
    when 'channel' then p_channel
    when 'category' then split_part(p_category_path, '/', 1)
    when 'priority' then p_priority
    when 'status' then p_status
    when 'vip_tier' then coalesce(p_vip_tier, 'standard')
    when 'team' then coalesce(p_team_id::text, 'none')
    when 'agent' then coalesce(p_agent_id::text, 'none')
    else 'all'
  end
$$;
comment on function analytics.group_key(text, text, text, text, text, text, uuid, uuid) is 'the group key of a ticket for a grouping (channel, category = root slug, priority, status, vip_tier, team, agent; null grouping = ''all'').';

create or replace function analytics.group_label(p_group text, p_key text) returns text
language sql stable
as $$
  select case
    when p_group is null then 'all'
    when p_key = 'none' and p_group = 'team' then 'no team'
    when p_key = 'none' and p_group = 'agent' then 'unassigned'
    when p_group = 'team' then
      (select t.name from public.teams t where t.id = p_key::uuid)
    when p_group = 'agent' then
      (select a.display_name from public.agents a where a.id = p_key::uuid)
    when p_group = 'category' then
      (select c.name from public.support_categories c where c.path = p_key)
    when p_group = 'policy' then
      (select p.name from public.support_sla_policies p where p.id = p_key::integer)
    else p_key
  end
$$;
comment on function analytics.group_label(text, text) is 'human label of a group key: team, agent, root category or sla policy name; the key itself for enumerations.';

-- ---------------------------------------------------------------------------------------------
-- tickets: volume, first response, resolution, fcr, one-touch, reopenings
-- ---------------------------------------------------------------------------------------------

-- two populations, each read through its own index:
--   created in the window (created_at): volume, vip and white-glove volume, first response time
--     (first_response_at − created_at; first_response_at is the first public agent reply, so bots
--     and internal notes are excluded; tickets without a reply yet are not in frt_n).
--   resolved in the window (resolved_at, the latest resolution): resolution time
--     (resolved_at − created_at), first-resolution time (first_resolved_at − created_at of the same
--     tickets), fcr (exactly one public agent reply and never reopened), one-touch (fewer than two
--     public agent replies), reopened (reopened at least once). a ticket reopened and not solved
--     again has no resolved_at, so it is in none of these until it is solved again.
create or replace function analytics.ticket_stats(
  p_from timestamptz,
  p_to timestamptz,
  p_group text default null,
  p_team uuid default null,
  p_agent uuid default null,
  p_agent_team uuid default null
) returns table (
  group_key text,
  group_label text,
  created bigint,
  vip_created bigint,
  white_glove_created bigint,
  frt_n bigint,
  frt_sum double precision,
  frt_sum_sq double precision,
  frt_median double precision,
  frt_p90 double precision,
  resolved bigint,
  res_sum double precision,
  res_sum_sq double precision,
  res_median double precision,
  res_p90 double precision,
  first_res_n bigint,
  first_res_sum double precision,
  first_res_sum_sq double precision,
  first_res_median double precision,
  fcr bigint,
  one_touch bigint,
  reopened bigint
)
language sql stable
as $$
  with created_rows as (
    select
      analytics.group_key(p_group, t.channel, c.path, t.priority, t.status, t.vip_tier,
                          t.team_id, t.assigned_agent_id) as k,
      t.vip_tier,
      t.is_white_glove,
      date_part('epoch', t.first_response_at - t.created_at) as frt
    from public.support_tickets t
    left join public.support_categories c on c.id = t.category_id
    where t.created_at >= p_from and t.created_at < p_to
      and (p_team is null or t.team_id = p_team)
      and (p_agent is null or t.assigned_agent_id = p_agent)
      and (p_agent_team is null or t.assigned_agent_id in (
            select a.id from public.agents a where a.team_id = p_agent_team))
      and analytics.check_group(p_group, array['channel', 'category', 'priority', 'status',
                                               'vip_tier', 'team', 'agent'])
  ),
  created_agg as (
    select
      k,
      count(*) as n_created,
      count(vip_tier) as n_vip,
      count(*) filter (where is_white_glove) as n_white_glove,
      count(frt) as n_frt,
      sum(frt) as s_frt,
      sum(frt * frt) as ss_frt,
      percentile_cont(array[0.5, 0.9]::double precision[]) within group (order by frt) as q_frt
    from created_rows
    group by k
  ),
  resolved_rows as (
    select
      analytics.group_key(p_group, t.channel, c.path, t.priority, t.status, t.vip_tier,
                          t.team_id, t.assigned_agent_id) as k,
      date_part('epoch', t.resolved_at - t.created_at) as res,
      date_part('epoch', t.first_resolved_at - t.created_at) as first_res,
      t.agent_reply_count,
      t.reopen_count
    from public.support_tickets t
    left join public.support_categories c on c.id = t.category_id
    where t.resolved_at >= p_from and t.resolved_at < p_to
      and (p_team is null or t.team_id = p_team)
      and (p_agent is null or t.assigned_agent_id = p_agent)
      and (p_agent_team is null or t.assigned_agent_id in (
            select a.id from public.agents a where a.team_id = p_agent_team))
      and analytics.check_group(p_group, array['channel', 'category', 'priority', 'status',
                                               'vip_tier', 'team', 'agent'])
  ),
  resolved_agg as (
    select
      k,
      count(*) as n_resolved,
      sum(res) as s_res,
      sum(res * res) as ss_res,
      percentile_cont(array[0.5, 0.9]::double precision[]) within group (order by res) as q_res,
      count(first_res) as n_first_res,
      sum(first_res) as s_first_res,
      sum(first_res * first_res) as ss_first_res,
      percentile_cont(0.5) within group (order by first_res) as m_first_res,
      count(*) filter (where agent_reply_count = 1 and reopen_count = 0) as n_fcr,
      count(*) filter (where agent_reply_count < 2) as n_one_touch,
      count(*) filter (where reopen_count > 0) as n_reopened
    from resolved_rows
    group by k
  ),
  keys as (
    select k from created_agg
    union
    select k from resolved_agg
    union
    select 'all' where p_group is null
  )
  select
    keys.k,
    analytics.group_label(p_group, keys.k),
    coalesce(ca.n_created, 0),
    coalesce(ca.n_vip, 0),
    coalesce(ca.n_white_glove, 0),
    coalesce(ca.n_frt, 0),
    coalesce(ca.s_frt, 0),
    coalesce(ca.ss_frt, 0),
    ca.q_frt[1],
    ca.q_frt[2],
    coalesce(ra.n_resolved, 0),
    coalesce(ra.s_res, 0),
    coalesce(ra.ss_res, 0),
    ra.q_res[1],
    ra.q_res[2],
    coalesce(ra.n_first_res, 0),
    coalesce(ra.s_first_res, 0),
    coalesce(ra.ss_first_res, 0),
    ra.m_first_res,
    coalesce(ra.n_fcr, 0),
    coalesce(ra.n_one_touch, 0),
    coalesce(ra.n_reopened, 0)
  from keys
  left join created_agg ca on ca.k = keys.k
  left join resolved_agg ra on ra.k = keys.k
$$;
comment on function analytics.ticket_stats(timestamptz, timestamptz, text, uuid, uuid, uuid) is 'per group: tickets created in [p_from, p_to) with first-response moments, median and p90 (seconds); tickets resolved in the window with resolution and first-resolution moments and percentiles, fcr, one-touch and reopened counts.';

-- open at the instant p_at: created before it and not resolved by then (resolved_at null or after
-- it). read as two disjoint index scans: still open (partial index on created_at where resolved_at
-- is null) and resolved after p_at (resolved_at index).
-- limits of the data: resolved_at is the latest resolution and there is no reopen timestamp, so a
-- ticket that was solved at p_at and reopened afterwards counts as open at p_at. such tickets are
-- counted in "uncertain" (reopened, first solved at or before p_at): the open count is exact up to
-- at most that many. assignment is the current one (no assignment history): "unassigned" means
-- unassigned now; "unanswered" means no first public agent reply by p_at; status groups use the
-- current status.
create or replace function analytics.backlog_at(
  p_at timestamptz,
  p_group text default null,
  p_team uuid default null,
  p_agent uuid default null,
  p_agent_team uuid default null
) returns table (
  group_key text,
  group_label text,
  open bigint,
  unassigned bigint,
  unanswered bigint,
  age_under_1h bigint,
  age_1h_4h bigint,
  age_4h_24h bigint,
  age_1d_3d bigint,
  age_over_3d bigint,
  age_sum double precision,
  age_max double precision,
  uncertain bigint
)
language sql stable
as $$
  with open_rows as (
    select t.id, t.channel, t.category_id, t.priority, t.status, t.vip_tier, t.team_id,
           t.assigned_agent_id, t.created_at, t.first_response_at, t.first_resolved_at,
           t.reopen_count
    from public.support_tickets t
    where t.resolved_at is null and t.created_at < p_at
    union all
    select t.id, t.channel, t.category_id, t.priority, t.status, t.vip_tier, t.team_id,
           t.assigned_agent_id, t.created_at, t.first_response_at, t.first_resolved_at,
           t.reopen_count
    from public.support_tickets t
    where t.resolved_at > p_at and t.created_at < p_at
  ),
  scoped as (
    select
      analytics.group_key(p_group, o.channel, c.path, o.priority, o.status, o.vip_tier,
                          o.team_id, o.assigned_agent_id) as k,
      date_part('epoch', p_at - o.created_at) as age,
      o.assigned_agent_id,
      o.first_response_at,
      o.first_resolved_at,
      o.reopen_count
    from open_rows o
    left join public.support_categories c on c.id = o.category_id
    where (p_team is null or o.team_id = p_team)
      and (p_agent is null or o.assigned_agent_id = p_agent)
      and (p_agent_team is null or o.assigned_agent_id in (
            select a.id from public.agents a where a.team_id = p_agent_team))
      and analytics.check_group(p_group, array['channel', 'category', 'priority', 'status',
                                               'vip_tier', 'team', 'agent'])
  ),
  agg as (
    select
      k,
      count(*) as n_open,
      count(*) filter (where assigned_agent_id is null) as n_unassigned,
      count(*) filter (where first_response_at is null or first_response_at > p_at)
        as n_unanswered,
      count(*) filter (where age < 3600) as n_1h,
      count(*) filter (where age >= 3600 and age < 14400) as n_4h,
      count(*) filter (where age >= 14400 and age < 86400) as n_24h,
      count(*) filter (where age >= 86400 and age < 259200) as n_3d,
      count(*) filter (where age >= 259200) as n_older,
      sum(age) as s_age,
      max(age) as m_age,
      count(*) filter (where reopen_count > 0 and first_resolved_at <= p_at) as n_uncertain
    from scoped
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
    coalesce(agg.n_open, 0),
    coalesce(agg.n_unassigned, 0),
    coalesce(agg.n_unanswered, 0),
    coalesce(agg.n_1h, 0),
    coalesce(agg.n_4h, 0),
    coalesce(agg.n_24h, 0),
    coalesce(agg.n_3d, 0),
    coalesce(agg.n_older, 0),
    coalesce(agg.s_age, 0),
    agg.m_age,
    coalesce(agg.n_uncertain, 0)
  from keys
  left join agg on agg.k = keys.k
$$;
comment on function analytics.backlog_at(timestamptz, text, uuid, uuid, uuid) is 'per group: tickets open at p_at (created before, not resolved by then), unassigned, unanswered, age buckets (<1h, 1-4h, 4-24h, 1-3d, >3d), age sum and max (seconds); uncertain = reopened tickets first solved by p_at, whose state at p_at the data cannot tell.';

-- ---------------------------------------------------------------------------------------------
-- sla compliance
-- ---------------------------------------------------------------------------------------------

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
                                    t.vip_tier, t.team_id, t.assigned_agent_id)
      end as k,
      s.target_type = 'first_response' as is_fr,
      s.achieved_at is not null and s.achieved_at <= s.due_at as achieved,
      s.due_at < least(now(), p_to) as past_due
    from public.support_sla_compliance s
    left join public.support_tickets t on t.id = s.ticket_id
    left join public.support_categories c on c.id = t.category_id
    where s.due_at >= p_from and s.due_at < p_to
      and (p_team is null or t.team_id = p_team)
      and (p_agent is null or t.assigned_agent_id = p_agent)
      and (p_agent_team is null or t.assigned_agent_id in (
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

-- ---------------------------------------------------------------------------------------------
-- satisfaction surveys
-- ---------------------------------------------------------------------------------------------

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
                          t.team_id, t.assigned_agent_id) as k,
      f.responded_at,
      f.csat_rating,
      f.nps_score,
      f.ces_score
    from public.support_feedback_surveys f
    left join public.support_tickets t on t.id = f.ticket_id
    left join public.support_categories c on c.id = t.category_id
    where f.sent_at >= p_from and f.sent_at < p_to
      and (p_team is null or t.team_id = p_team)
      and (p_agent is null or t.assigned_agent_id = p_agent)
      and (p_agent_team is null or t.assigned_agent_id in (
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

-- ---------------------------------------------------------------------------------------------
-- workforce: daily agent metrics and quality evaluations
-- ---------------------------------------------------------------------------------------------

-- a metrics day belongs to the window when its start (00:00 utc of metric_date) is in
-- [p_from, p_to), i.e. metric_date in [ceil_day(p_from), ceil_day(p_to)) where ceil_day(x) is the
-- first utc day starting at or after x, written (x at utc − 1 µs)::date + 1 to stay sargable.
-- quality evaluations count by evaluated_at in the window. grouping is by the agent or the agent's
-- (current) team; p_team and p_agent scope by the same.
create or replace function analytics.workforce_stats(
  p_from timestamptz,
  p_to timestamptz,
  p_group text default null,
  p_team uuid default null,
  p_agent uuid default null
) returns table (
  group_key text,
  group_label text,
  days bigint,
  scheduled_seconds bigint,
  logged_in_seconds bigint,
  handle_seconds bigint,
  available_seconds bigint,
  in_adherence_seconds bigint,
  talk_seconds bigint,
  hold_seconds bigint,
  after_contact_seconds bigint,
  contacts_handled bigint,
  tickets_solved bigint,
  qa_n bigint,
  qa_sum double precision,
  qa_sum_sq double precision
)
language sql stable
as $$
  with day_rows as (
    select
      case p_group when 'team' then a.team_id::text when 'agent' then m.agent_id::text
                   else 'all' end as k,
      m.scheduled_seconds, m.logged_in_seconds, m.handle_seconds, m.available_seconds,
      m.in_adherence_seconds, m.talk_seconds, m.hold_seconds, m.after_contact_seconds,
      m.contacts_handled, m.tickets_solved
    from public.support_agents_metrics m
    join public.agents a on a.id = m.agent_id
    where m.metric_date >= ((p_from at time zone 'utc') - interval '1 microsecond')::date + 1
      and m.metric_date < ((p_to at time zone 'utc') - interval '1 microsecond')::date + 1
      and (p_team is null or a.team_id = p_team)
      and (p_agent is null or m.agent_id = p_agent)
      and analytics.check_group(p_group, array['team', 'agent'])
  ),
  day_agg as (
    select
      k,
      count(*) as n_days,
      sum(scheduled_seconds) as s_scheduled,
      sum(logged_in_seconds) as s_logged_in,
      sum(handle_seconds) as s_handle,
      sum(available_seconds) as s_available,
      sum(in_adherence_seconds) as s_adherence,
      sum(talk_seconds) as s_talk,
      sum(hold_seconds) as s_hold,
      sum(after_contact_seconds) as s_acw,
      sum(contacts_handled) as s_contacts,
      sum(tickets_solved) as s_solved
    from day_rows
    group by k
  ),
  qa_rows as (
    select
      case p_group when 'team' then a.team_id::text when 'agent' then e.agent_id::text
                   else 'all' end as k,
      e.score
    from public.support_qa_evaluations e
    join public.agents a on a.id = e.agent_id
    where e.evaluated_at >= p_from and e.evaluated_at < p_to
      and (p_team is null or a.team_id = p_team)
      and (p_agent is null or e.agent_id = p_agent)
      and analytics.check_group(p_group, array['team', 'agent'])
  ),
  qa_agg as (
    select k, count(*) as n_qa, sum(score) as s_qa, sum(score * score) as ss_qa
    from qa_rows
    group by k
  ),
  keys as (
    select k from day_agg
    union
    select k from qa_agg
    union
    select 'all' where p_group is null
  )
  select
    keys.k,
    analytics.group_label(p_group, keys.k),
    coalesce(d.n_days, 0),
    coalesce(d.s_scheduled, 0)::bigint,
    coalesce(d.s_logged_in, 0)::bigint,
    coalesce(d.s_handle, 0)::bigint,
    coalesce(d.s_available, 0)::bigint,
    coalesce(d.s_adherence, 0)::bigint,
    coalesce(d.s_talk, 0)::bigint,
    coalesce(d.s_hold, 0)::bigint,
    coalesce(d.s_acw, 0)::bigint,
    coalesce(d.s_contacts, 0)::bigint,
    coalesce(d.s_solved, 0)::bigint,
    coalesce(q.n_qa, 0),
    coalesce(q.s_qa, 0)::double precision,
    coalesce(q.ss_qa, 0)::double precision
  from keys
  left join day_agg d on d.k = keys.k
  left join qa_agg q on q.k = keys.k
$$;
comment on function analytics.workforce_stats(timestamptz, timestamptz, text, uuid, uuid) is 'per group (team or agent): sums of daily agent metrics over the utc days starting in [p_from, p_to) and quality evaluation count, sum and sum of squares by evaluated_at.';

-- ---------------------------------------------------------------------------------------------
-- per agent: tickets, surveys and workforce side by side
-- ---------------------------------------------------------------------------------------------

-- one row per agent (of p_team when given: the agent's team) with any visible activity in the
-- window: the ticket statistics of the tickets assigned to the agent, the surveys of those tickets
-- and the agent's own workforce and quality records. column meanings are those of ticket_stats,
-- survey_stats and workforce_stats.
create or replace function analytics.agent_stats(
  p_from timestamptz,
  p_to timestamptz,
  p_team uuid default null
) returns table (
  agent_id uuid,
  agent_name text,
  team_id uuid,
  created bigint,
  vip_created bigint,
  white_glove_created bigint,
  frt_n bigint,
  frt_sum double precision,
  frt_sum_sq double precision,
  frt_median double precision,
  frt_p90 double precision,
  resolved bigint,
  res_sum double precision,
  res_sum_sq double precision,
  res_median double precision,
  res_p90 double precision,
  first_res_n bigint,
  first_res_sum double precision,
  first_res_sum_sq double precision,
  first_res_median double precision,
  fcr bigint,
  one_touch bigint,
  reopened bigint,
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
  ces_sum_sq bigint,
  days bigint,
  scheduled_seconds bigint,
  logged_in_seconds bigint,
  handle_seconds bigint,
  available_seconds bigint,
  in_adherence_seconds bigint,
  talk_seconds bigint,
  hold_seconds bigint,
  after_contact_seconds bigint,
  contacts_handled bigint,
  tickets_solved bigint,
  qa_n bigint,
  qa_sum double precision,
  qa_sum_sq double precision
)
language sql stable
as $$
  select
    a.id,
    a.display_name,
    a.team_id,
    coalesce(t.created, 0),
    coalesce(t.vip_created, 0),
    coalesce(t.white_glove_created, 0),
    coalesce(t.frt_n, 0),
    coalesce(t.frt_sum, 0),
    coalesce(t.frt_sum_sq, 0),
    t.frt_median,
    t.frt_p90,
    coalesce(t.resolved, 0),
    coalesce(t.res_sum, 0),
    coalesce(t.res_sum_sq, 0),
    t.res_median,
    t.res_p90,
    coalesce(t.first_res_n, 0),
    coalesce(t.first_res_sum, 0),
    coalesce(t.first_res_sum_sq, 0),
    t.first_res_median,
    coalesce(t.fcr, 0),
    coalesce(t.one_touch, 0),
    coalesce(t.reopened, 0),
    coalesce(s.sent, 0),
    coalesce(s.responded, 0),
    coalesce(s.csat_1, 0),
    coalesce(s.csat_2, 0),
    coalesce(s.csat_3, 0),
    coalesce(s.csat_4, 0),
    coalesce(s.csat_5, 0),
    coalesce(s.nps_promoters, 0),
    coalesce(s.nps_passives, 0),
    coalesce(s.nps_detractors, 0),
    coalesce(s.ces_n, 0),
    coalesce(s.ces_sum, 0),
    coalesce(s.ces_sum_sq, 0),
    coalesce(w.days, 0),
    coalesce(w.scheduled_seconds, 0),
    coalesce(w.logged_in_seconds, 0),
    coalesce(w.handle_seconds, 0),
    coalesce(w.available_seconds, 0),
    coalesce(w.in_adherence_seconds, 0),
    coalesce(w.talk_seconds, 0),
    coalesce(w.hold_seconds, 0),
    coalesce(w.after_contact_seconds, 0),
    coalesce(w.contacts_handled, 0),
    coalesce(w.tickets_solved, 0),
    coalesce(w.qa_n, 0),
    coalesce(w.qa_sum, 0),
    coalesce(w.qa_sum_sq, 0)
  from public.agents a
  left join analytics.ticket_stats(p_from, p_to, 'agent', null, null, p_team) t
    on t.group_key = a.id::text
  left join analytics.survey_stats(p_from, p_to, 'agent', null, null, p_team) s
    on s.group_key = a.id::text
  left join analytics.workforce_stats(p_from, p_to, 'agent', p_team, null) w
    on w.group_key = a.id::text
  where (p_team is null or a.team_id = p_team)
    and (t.group_key is not null or s.group_key is not null or w.group_key is not null)
$$;
comment on function analytics.agent_stats(timestamptz, timestamptz, uuid) is 'per agent with visible activity in [p_from, p_to) (agents of p_team when given): ticket, survey and workforce statistics of ticket_stats, survey_stats and workforce_stats side by side.';

-- ---------------------------------------------------------------------------------------------
-- queues
-- ---------------------------------------------------------------------------------------------

-- queue intervals whose bucket_start is in [p_from, p_to), per queue and overall (queue 'all').
-- service level = answered_within_threshold ÷ (answered + abandoned_after_threshold); abandonment
-- = abandoned ÷ offered; average depth = depth_sum ÷ buckets (distinct interval starts), which for
-- 'all' is the total waiting across queues; wait_sum and aht_sum are weighted by answered contacts
-- (aht_answered counts the answered contacts of intervals that report an aht).
create or replace function analytics.queue_stats(
  p_from timestamptz,
  p_to timestamptz
) returns table (
  queue text,
  intervals bigint,
  buckets bigint,
  offered bigint,
  answered bigint,
  answered_within_threshold bigint,
  abandoned bigint,
  abandoned_after_threshold bigint,
  longest_wait_seconds integer,
  depth_sum bigint,
  wait_sum double precision,
  aht_sum double precision,
  aht_answered bigint
)
language sql stable
as $$
  select
    coalesce(q.queue, 'all'),
    count(*),
    count(distinct q.bucket_start),
    coalesce(sum(q.offered), 0)::bigint,
    coalesce(sum(q.answered), 0)::bigint,
    coalesce(sum(q.answered_within_threshold), 0)::bigint,
    coalesce(sum(q.abandoned), 0)::bigint,
    coalesce(sum(q.abandoned_after_threshold), 0)::bigint,
    max(q.longest_wait_seconds),
    coalesce(sum(q.queue_depth), 0)::bigint,
    coalesce(sum(q.avg_wait_seconds * q.answered), 0)::double precision,
    coalesce(sum(q.aht_seconds * q.answered), 0)::double precision,
    coalesce(sum(q.answered) filter (where q.aht_seconds is not null), 0)::bigint
  from public.support_queue_metrics q
  where q.bucket_start >= p_from and q.bucket_start < p_to
  group by grouping sets ((q.queue), ())
$$;
comment on function analytics.queue_stats(timestamptz, timestamptz) is 'per queue and overall (''all''): intervals starting in [p_from, p_to) with offered, answered (within threshold), abandoned (after threshold), longest wait, depth sum over distinct buckets, answered-weighted wait and aht sums.';

-- ---------------------------------------------------------------------------------------------
-- vip
-- ---------------------------------------------------------------------------------------------

-- retention: a vip client is active at an instant when a tier period (a support_vip_tracking row
-- other than 'churned') covers it (effective_from <= instant < effective_to or open-ended).
-- active_start = active at p_from, by the tier in force then; retained = of those, active at the
-- window's end least(now(), p_to) (in any tier). per tier and overall ('all').
create or replace function analytics.vip_stats(
  p_from timestamptz,
  p_to timestamptz
) returns table (
  vip_tier text,
  active_start bigint,
  retained bigint
)
language sql stable
as $$
  with at_start as (
    select distinct on (r.customer_id) r.customer_id, r.vip_tier
    from public.support_vip_tracking r
    where r.change_reason <> 'churned'
      and r.effective_from <= p_from
      and (r.effective_to is null or r.effective_to > p_from)
    order by r.customer_id, r.effective_from desc
  ),
  at_end as (
    select distinct r.customer_id
    from public.support_vip_tracking r
    where r.change_reason <> 'churned'
      and r.effective_from <= least(now(), p_to)
      and (r.effective_to is null or r.effective_to > least(now(), p_to))
  )
  select coalesce(s.vip_tier, 'all'), count(*), count(e.customer_id)
  from at_start s
  left join at_end e on e.customer_id = s.customer_id
  group by grouping sets ((s.vip_tier), ())
$$;
comment on function analytics.vip_stats(timestamptz, timestamptz) is 'vip retention per tier at p_from and overall (''all''): clients in an active tier period at p_from, and how many of them are still active at least(now(), p_to).';

-- ---------------------------------------------------------------------------------------------
-- distributions
-- ---------------------------------------------------------------------------------------------

-- tickets created in [p_from, p_to) by channel, root category, priority and (current) status in
-- one scan (grouping sets); every value of each dimension is listed, with 0 when absent.
create or replace function analytics.ticket_distribution(
  p_from timestamptz,
  p_to timestamptz,
  p_team uuid default null,
  p_agent uuid default null,
  p_agent_team uuid default null
) returns table (
  dimension text,
  group_key text,
  group_label text,
  tickets bigint
)
language sql stable
as $$
  with created_rows as (
    select t.channel, split_part(c.path, '/', 1) as root, t.priority, t.status
    from public.support_tickets t
    left join public.support_categories c on c.id = t.category_id
    where t.created_at >= p_from and t.created_at < p_to
      and (p_team is null or t.team_id = p_team)
      and (p_agent is null or t.assigned_agent_id = p_agent)
      and (p_agent_team is null or t.assigned_agent_id in (
            select a.id from public.agents a where a.team_id = p_agent_team))
  ),
  counted as (
    select
      case when grouping(channel) = 0 then 'channel'
           when grouping(root) = 0 then 'category'
           when grouping(priority) = 0 then 'priority'
           else 'status' end as dim,
      coalesce(channel, root, priority, status) as k,
      count(*) as n
    from created_rows
    group by grouping sets ((channel), (root), (priority), (status))
  ),
  dims (dim, k, ord) as (
    select 'channel', v, o from unnest(array['email', 'chat', 'phone', 'social'])
      with ordinality as u (v, o)
    union all
    select 'category', c.slug, c.id from public.support_categories c where c.depth = 0
    union all
    select 'priority', v, o from unnest(array['low', 'normal', 'high', 'urgent'])
      with ordinality as u (v, o)
    union all
    select 'status', v, o from unnest(array['new', 'open', 'pending', 'on_hold', 'solved',
                                            'closed']) with ordinality as u (v, o)
  )
  select d.dim, d.k, analytics.group_label(d.dim, d.k), coalesce(n.n, 0)
  from dims d
  left join counted n on n.dim = d.dim and n.k = d.k
  order by d.dim, d.ord
$$;
comment on function analytics.ticket_distribution(timestamptz, timestamptz, uuid, uuid, uuid) is 'tickets created in [p_from, p_to) per channel, root category, priority and current status, every value listed (0 when absent).';

-- ---------------------------------------------------------------------------------------------
-- privileges: signed-in users (under rls) and the service role; not anonymous callers.
-- ---------------------------------------------------------------------------------------------

revoke all on all functions in schema analytics from public;
grant usage on schema analytics to authenticated, service_role;
grant execute on all functions in schema analytics to authenticated, service_role;
