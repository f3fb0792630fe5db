-- predictive insights (issue 11): feature tables under the caller's row level security, and the
-- insights columns of migration 20261202004000 in the privacy catalog of text columns.
-- (numbered after the privacy migrations, 20261202006000..6200, because the functions read their
-- consent and erasure columns and the catalog rows go into their table; the insights range
-- 20261202004000..4900 sorts before them.)
--
-- feature functions are security invoker (rls of the caller decides every row they read), stable,
-- with a fixed empty search_path and schema-qualified names. they return one row per survey, open
-- ticket or vip client: python (analytics/) fits and scores models on them.
--
-- consent: clients who object to profiling or were erased are left out of the per-client and
-- per-ticket feature tables, and upsell needs marketing consent. the predicates are those of
-- app.profiling_allowed / app.marketing_allowed (migration 20261202006200), written inline on the
-- customers row already joined: one function call per row cost ~150 us (6 s for 40k surveys).

-- ---------------------------------------------------------------------------------------------
-- answered surveys with what was known about their ticket (satisfaction drivers, risk training)
-- ---------------------------------------------------------------------------------------------
create or replace function analytics.insight_survey_features(p_from timestamptz, p_to timestamptz)
returns table (
  ticket_id bigint,
  sent_at timestamptz,
  csat smallint,
  channel text,
  category_root text,
  vip_tier text,
  team_id uuid,
  agent_id uuid,
  first_response_minutes double precision,
  resolution_minutes double precision,
  reopen_count integer,
  agent_replies integer,
  agent_skill integer,
  agent_tenure_years double precision,
  sentiment double precision,
  fr_breached boolean,
  res_breached boolean,
  profiling_allowed boolean
)
language sql stable
set search_path = ''
as $$
  -- the window's surveys first (sent_at index), then their tickets: left to itself the planner
  -- may walk every ticket by category and probe its survey
  with f as materialized (
    select s.ticket_id, s.sent_at, s.csat_rating
    from public.support_feedback_surveys s
    where s.sent_at >= p_from and s.sent_at < p_to and s.csat_rating is not null
  ),
  -- mean customer sentiment of those tickets in one pass over the interactions of the window's
  -- months (interactions are partitioned by time; a probe per ticket visited every partition).
  -- a ticket's messages precede its survey; those more than 90 days before the window are left
  -- out.
  sentiment as (
    select i.ticket_id, avg(i.sentiment_score) as sentiment
    from public.support_interactions i
    where i.created_at >= p_from - interval '90 days' and i.created_at < p_to
      and i.author_type = 'customer' and i.sentiment_score is not null
      and i.ticket_id in (select f.ticket_id from f)
    group by i.ticket_id
  )
  select
    f.ticket_id,
    f.sent_at,
    f.csat_rating,
    t.channel,
    (select split_part(c.path, '/', 1) from public.support_categories c where c.id = t.category_id),
    coalesce(t.vip_tier, 'standard'),
    t.team_id,
    t.assigned_agent_id,
    extract(epoch from t.first_response_at - t.created_at) / 60.0,
    extract(epoch from t.resolved_at - t.created_at) / 60.0,
    t.reopen_count::integer,
    t.agent_reply_count::integer,
    a.skill_level::integer,
    (t.created_at::date - a.hired_on) / 365.25,
    s.sentiment::double precision,
    coalesce(b.fr_breached, false),
    coalesce(b.res_breached, false),
    (cu.consent_analytics and cu.erased_at is null)
  from f
  -- one ticket per survey by its key (limit 1 keeps the planner from hashing every ticket)
  join lateral (
    select x.* from public.support_tickets x where x.id = f.ticket_id limit 1
  ) t on true
  join public.customers cu on cu.id = t.customer_id
  left join public.agents a on a.id = t.assigned_agent_id
  left join sentiment s on s.ticket_id = f.ticket_id
  left join lateral (
    select
      bool_or(x.status = 'breached') filter (where x.target_type = 'first_response') as fr_breached,
      bool_or(x.status = 'breached') filter (where x.target_type = 'resolution') as res_breached
    from public.support_sla_compliance x
    where x.ticket_id = t.id
  ) b on true
$$;
comment on function analytics.insight_survey_features(timestamptz, timestamptz) is 'one row per answered survey sent in [p_from, p_to) that the caller may see: csat and the ticket''s factors (waits, reopens, replies, channel, root category, tier, agent skill and tenure, mean customer sentiment, sla breaches) and whether the client may be profiled.';

-- ---------------------------------------------------------------------------------------------
-- open tickets as of an instant (satisfaction risk scoring)
-- ---------------------------------------------------------------------------------------------
create or replace function analytics.insight_open_ticket_features(
  p_as_of timestamptz, p_ids bigint[] default null
)
returns table (
  ticket_id bigint,
  channel text,
  category_root text,
  vip_tier text,
  team_id uuid,
  agent_id uuid,
  first_response_minutes double precision,
  reopen_count integer,
  agent_replies integer,
  agent_skill integer,
  agent_tenure_years double precision,
  sentiment double precision,
  fr_breached boolean,
  res_breached boolean
)
language sql stable
set search_path = ''
as $$
  select
    t.id,
    t.channel,
    split_part(c.path, '/', 1),
    coalesce(t.vip_tier, 'standard'),
    t.team_id,
    t.assigned_agent_id,
    -- the wait so far when nobody has answered yet
    extract(epoch from coalesce(t.first_response_at, p_as_of) - t.created_at) / 60.0,
    t.reopen_count::integer,
    t.agent_reply_count::integer,
    a.skill_level::integer,
    (t.created_at::date - a.hired_on) / 365.25,
    s.sentiment::double precision,
    coalesce(t.first_response_at, p_as_of) > t.first_response_due_at,
    p_as_of > t.resolution_due_at
  from public.support_tickets t
  join public.support_categories c on c.id = t.category_id
  join public.customers cu on cu.id = t.customer_id
  left join public.agents a on a.id = t.assigned_agent_id
  left join lateral (
    select avg(i.sentiment_score) as sentiment
    from public.support_interactions i
    where i.ticket_id = t.id and i.created_at >= t.created_at and i.created_at < p_as_of
      and i.author_type = 'customer' and i.sentiment_score is not null
  ) s on true
  where t.resolved_at is null and t.created_at < p_as_of
    and (p_ids is null or t.id = any (p_ids))
    and (cu.consent_analytics and cu.erased_at is null)
$$;
comment on function analytics.insight_open_ticket_features(timestamptz, bigint[]) is 'one row per open ticket created before p_as_of (of p_ids, when given) that the caller may see, of a client who may be profiled: the factors known while it is open (wait so far, reopens, replies, channel, root category, tier, agent, sentiment so far, sla targets passed).';

-- ---------------------------------------------------------------------------------------------
-- vip clients active at an instant, with support-derived features and the churn label
-- ---------------------------------------------------------------------------------------------
create or replace function analytics.insight_vip_features(
  p_as_of timestamptz, p_lookback_days integer, p_horizon_days integer, p_ids uuid[] default null
)
returns table (
  customer_id uuid,
  vip_tier text,
  lifetime_value numeric,
  dedicated_agent_id uuid,
  tenure_days double precision,
  vip_days double precision,
  tickets integer,
  csat_n integer,
  csat_mean double precision,
  csat_recent double precision,
  csat_earlier double precision,
  low_csat integer,
  reopens integer,
  sla_breaches integer,
  wait_minutes double precision,
  white_glove integer,
  dedicated_changes integer,
  days_since_ticket double precision,
  churned boolean,
  marketing_allowed boolean
)
language sql stable
set search_path = ''
as $$
  with vip as (
    select cu.id, cu.lifetime_value, cu.dedicated_agent_id, cu.joined_at, p.vip_tier, p.enrolled,
      p.agents, (cu.consent_marketing and cu.erased_at is null) as marketing_allowed
    from public.customers cu
    join lateral (
      select
        (array_agg(v.vip_tier order by v.effective_from desc)
          filter (where v.change_reason <> 'churned'))[1] as vip_tier,
        min(v.effective_from) as enrolled,
        count(distinct v.dedicated_agent_id)::integer as agents,
        bool_or(v.change_reason = 'churned') as churned_before
      from public.support_vip_tracking v
      where v.customer_id = cu.id and v.effective_from < p_as_of
    ) p on p.enrolled is not null and not coalesce(p.churned_before, false)
    where cu.vip_tier is not null and (p_ids is null or cu.id = any (p_ids))
      and (cu.consent_analytics and cu.erased_at is null)
  )
  select
    vip.id,
    vip.vip_tier,
    vip.lifetime_value,
    vip.dedicated_agent_id,
    extract(epoch from p_as_of - vip.joined_at) / 86400.0,
    extract(epoch from p_as_of - vip.enrolled) / 86400.0,
    coalesce(k.tickets, 0),
    coalesce(k.csat_n, 0),
    k.csat_mean,
    k.csat_recent,
    k.csat_earlier,
    coalesce(k.low_csat, 0),
    coalesce(k.reopens, 0),
    coalesce(k.sla_breaches, 0),
    k.wait_minutes,
    coalesce(k.white_glove, 0),
    greatest(vip.agents - 1, 0),
    extract(epoch from p_as_of - k.last_ticket) / 86400.0,
    exists (
      select 1 from public.support_vip_tracking v
      where v.customer_id = vip.id and v.change_reason = 'churned'
        and v.effective_from >= p_as_of
        and v.effective_from < p_as_of + make_interval(days => p_horizon_days)),
    vip.marketing_allowed
  from vip
  left join lateral (
    select
      count(*)::integer as tickets,
      count(f.csat_rating)::integer as csat_n,
      avg(f.csat_rating)::double precision as csat_mean,
      avg(f.csat_rating) filter (
        where f.sent_at >= p_as_of - make_interval(days => p_lookback_days / 3)
      )::double precision as csat_recent,
      avg(f.csat_rating) filter (
        where f.sent_at < p_as_of - make_interval(days => p_lookback_days / 3)
      )::double precision as csat_earlier,
      count(*) filter (where f.csat_rating <= 2)::integer as low_csat,
      sum(t.reopen_count)::integer as reopens,
      count(*) filter (where b.breached)::integer as sla_breaches,
      avg(extract(epoch from t.first_response_at - t.created_at) / 60.0) as wait_minutes,
      count(*) filter (where t.is_white_glove)::integer as white_glove,
      max(t.created_at) as last_ticket
    from public.support_tickets t
    left join public.support_feedback_surveys f
      on f.ticket_id = t.id and f.sent_at < p_as_of and f.csat_rating is not null
    left join lateral (
      select bool_or(x.status = 'breached' and x.due_at < p_as_of) as breached
      from public.support_sla_compliance x
      where x.ticket_id = t.id
    ) b on true
    where t.customer_id = vip.id
      and t.created_at >= p_as_of - make_interval(days => p_lookback_days)
      and t.created_at < p_as_of
  ) k on true
$$;
comment on function analytics.insight_vip_features(timestamptz, integer, integer, uuid[]) is 'one row per vip client the caller may see (of p_ids, when given), enrolled before p_as_of and not churned by then, who may be profiled: support-derived features over the p_lookback_days before p_as_of (tickets, csat and its recent/earlier means, low ratings, reopens, sla breaches due before p_as_of, waits, white-glove tickets, dedicated agent changes, recency) and churned = a churned period starts within p_horizon_days after p_as_of.';

grant execute on function analytics.insight_survey_features(timestamptz, timestamptz) to authenticated, service_role;
grant execute on function analytics.insight_open_ticket_features(timestamptz, bigint[]) to authenticated, service_role;
grant execute on function analytics.insight_vip_features(timestamptz, integer, integer, uuid[]) to authenticated, service_role;


-- catalog rows: none of these text columns holds a customer's personal data.
insert into app.personal_data_catalog (table_name, column_name, data_class, on_erasure, note) values
  ('support_insight_models', 'method', 'operational', 'keep', 'the model family and calibration method'),
  ('support_insight_models', 'trained_as', 'operational', 'keep', 'whose rights the training data was read with (a role, not a person)'),
  ('support_insight_models', 'metrics', 'operational', 'keep', 'held-out auc, brier score and calibration table (aggregates)'),
  ('support_insight_models', 'parameters', 'operational', 'keep', 'feature names, standardisation and coefficients (no client data)'),
  ('support_predictions', 'model_version', 'operational', 'keep', 'version of the model behind a prediction');
