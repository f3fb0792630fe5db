-- insights (issue 11): vip features at 1m tickets in about a third of the time. per client one
-- index range over its tickets and one over its surveys (by customer_id), instead of a survey
-- and two sla probes per ticket; breaches from the tickets' own due times (the same outcome as
-- the sla rows). surveys now count by sent_at in the lookback (not by their ticket's creation).
-- (after 20261202009400, which it replaces the function of.)

-- a client's answered surveys of a window by an index-only range scan (the row level security
-- columns included, so the policy needs no heap visit)
create index support_feedback_surveys_customer_sent_idx
  on public.support_feedback_surveys (customer_id, sent_at)
  include (csat_rating, ticket_team_id, ticket_agent_id);

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
    coalesce(s.csat_n, 0),
    s.csat_mean,
    s.csat_recent,
    s.csat_earlier,
    coalesce(s.low_csat, 0),
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
  -- the client's tickets of the lookback (one index range per client); a ticket breached when a
  -- due time before p_as_of was missed (met late, or still unmet): the tickets' own due times,
  -- the same outcome as their support_sla_compliance rows
  left join lateral (
    select
      count(*)::integer as tickets,
      sum(t.reopen_count)::integer as reopens,
      count(*) filter (where
        (t.first_response_due_at < p_as_of
         and coalesce(t.first_response_at, p_as_of) > t.first_response_due_at)
        or (t.resolution_due_at < p_as_of
            and coalesce(t.resolved_at, p_as_of) > t.resolution_due_at))::integer as sla_breaches,
      avg(extract(epoch from t.first_response_at - t.created_at) / 60.0) as wait_minutes,
      count(*) filter (where t.is_white_glove)::integer as white_glove,
      max(t.created_at) as last_ticket
    from public.support_tickets t
    where t.customer_id = vip.id
      and t.created_at >= p_as_of - make_interval(days => p_lookback_days)
      and t.created_at < p_as_of
  ) k on true
  -- the client's answered surveys sent in the lookback (one index range per client)
  left join lateral (
    select
      count(*)::integer as csat_n,
      avg(f.csat_rating)::double precision as csat_mean,
      avg(f.csat_rating) filter (
        where f.sent_at >= p_as_of - make_interval(days => p_lookback_days / 3)
      )::double precision as csat_recent,
      avg(f.csat_rating) filter (
        where f.sent_at < p_as_of - make_interval(days => p_lookback_days / 3)
      )::double precision as csat_earlier,
      count(*) filter (where f.csat_rating <= 2)::integer as low_csat
    from public.support_feedback_surveys f
    where f.customer_id = vip.id
      and f.sent_at >= p_as_of - make_interval(days => p_lookback_days)
      and f.sent_at < p_as_of and f.csat_rating is not null
  ) s on true
$$;
