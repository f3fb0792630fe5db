-- predictive insights (issue 11): feature tables under the caller's row level security, the
-- organisation's fitted models with their versions, and predictions that can be judged later.
--
-- feature functions are security invoker (rls of the caller decides every row they read), stable,
-- with a fixed empty search_path and schema-qualified names. they return one row per survey, open
-- ticket or vip client: python (analytics/) fits and scores models on them.
--
-- consent hook: clients who object to profiling (or were erased) are left out of the per-client
-- and per-ticket feature tables by app.profiling_allowed(customer), and upsell candidates need
-- app.marketing_allowed(customer): both are the privacy work's (issue 13, migration
-- 20261202006200), which runs after this file; function bodies are therefore not checked at
-- creation here (they are resolved when called, once every migration is applied).

set local check_function_bodies = off;

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
  select
    f.ticket_id,
    f.sent_at,
    f.csat_rating,
    t.channel,
    split_part(c.path, '/', 1),
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
    app.profiling_allowed(cu.id)
  from public.support_feedback_surveys f
  join public.support_tickets t on t.id = f.ticket_id
  join public.support_categories c on c.id = t.category_id
  join public.customers cu on cu.id = t.customer_id
  left join public.agents a on a.id = t.assigned_agent_id
  left join lateral (
    select avg(i.sentiment_score) as sentiment
    from public.support_interactions i
    where i.ticket_id = t.id and i.author_type = 'customer' and i.sentiment_score is not null
  ) s on true
  left join lateral (
    select
      bool_or(x.status = 'breached') filter (where x.target_type = 'first_response') as fr_breached,
      bool_or(x.status = 'breached') filter (where x.target_type = 'resolution') as res_breached
    from public.support_sla_compliance x
    where x.ticket_id = t.id
  ) b on true
  where f.sent_at >= p_from and f.sent_at < p_to and f.csat_rating is not null
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
    where i.ticket_id = t.id and i.author_type = 'customer' and i.sentiment_score is not null
      and i.created_at < p_as_of
  ) s on true
  where t.resolved_at is null and t.created_at < p_as_of
    and (p_ids is null or t.id = any (p_ids))
    and app.profiling_allowed(cu.id)
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
      p.agents
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
      and app.profiling_allowed(cu.id)
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
    app.marketing_allowed(vip.id)
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

-- ---------------------------------------------------------------------------------------------
-- the organisation's fitted models
-- ---------------------------------------------------------------------------------------------
create table public.support_insight_models (
  id bigint generated by default as identity primary key,
  model_type text not null check (model_type in ('churn', 'satisfaction_risk')),
  version integer not null check (version > 0),
  method text not null,
  trained_at timestamptz not null default now(),
  training_from timestamptz not null,
  training_to timestamptz not null,
  trained_as text not null,
  n_train integer not null check (n_train >= 0),
  n_test integer not null check (n_test >= 0),
  metrics jsonb not null,
  parameters jsonb not null,
  unique (model_type, version),
  check (training_to > training_from)
);
comment on table public.support_insight_models is 'fitted insight models (churn, satisfaction risk) of the organisation, one row per version: method, training window, who trained it, held-out metrics (auc, brier, calibration table) and the parameters scoring applies (json, no code).';
create index support_insight_models_latest_idx on public.support_insight_models (model_type, version desc);
alter table public.support_insight_models enable row level security;
-- a model's parameters describe the organisation, not any client or agent: every staff role may
-- read them (scoring then only sees the rows the caller may see); only the trainer writes.
create policy support_insight_models_select_staff on public.support_insight_models
  for select to authenticated using (app.is_staff((select app.app_role())));
grant select on public.support_insight_models to authenticated;
grant all on public.support_insight_models to service_role;

-- ---------------------------------------------------------------------------------------------
-- predictions kept with their model version and training window; idempotent per
-- (type, target period, scope, client or ticket, model, version)
-- ---------------------------------------------------------------------------------------------
alter table public.support_predictions
  add column model_version text not null default '1',
  add column training_from timestamptz,
  add column training_to timestamptz,
  add column ticket_id bigint references public.support_tickets (id) on delete cascade;
comment on column public.support_predictions.model_version is 'version of the model that produced the prediction (support_insight_models.version for churn and satisfaction risk).';
comment on column public.support_predictions.ticket_id is 'the ticket scored (satisfaction_risk only).';
alter table public.support_predictions drop constraint support_predictions_prediction_type_check;
alter table public.support_predictions add constraint support_predictions_prediction_type_check
  check (prediction_type in ('volume', 'csat', 'churn_risk', 'staffing', 'satisfaction_risk'));
alter table public.support_predictions add constraint support_predictions_risk_probability_check
  check (prediction_type <> 'satisfaction_risk' or (predicted_value between 0 and 1 and ticket_id is not null));
create unique index support_predictions_identity_idx on public.support_predictions
  (prediction_type, target_start, target_end, scope, customer_id, ticket_id, model, model_version)
  nulls not distinct;
create index support_predictions_ticket_id_idx on public.support_predictions (ticket_id);

-- team leads: organisation-level forecasts only (neither client nor ticket scores).
drop policy support_predictions_select on public.support_predictions;
create policy support_predictions_select on public.support_predictions
  for select to authenticated
  using (
    app.sees_all((select app.app_role()))
    or ((select app.app_role()) = 'team_lead' and customer_id is null and ticket_id is null));
