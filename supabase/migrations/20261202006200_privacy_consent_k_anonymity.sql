-- privacy (issue 13), step 3: consent honoured in the database, and the group sizes behind
-- k-anonymity for analysts.
--
-- consent flags of public.customers:
--   consent_surveys    no satisfaction survey is recorded for a customer without it: inserting one
--                      is refused (the generator does not draw them either; bulk loads in replica
--                      mode skip triggers, so the generator's own rule is tested too).
--   consent_analytics  the customer does not object to profiling: without it no model scores them
--                      (churn risk, satisfaction risk). app.profiling_allowed(customer) is the hook
--                      for model code; a trigger also drops per-customer predictions of those types
--                      for customers who object, whoever writes them.
--   consent_marketing  marketing-type outputs (upsell candidates): app.marketing_allowed(customer).
-- every change of a consent flag is audited (trigger), whoever makes it; app.set_consent is the
-- admin/dpo way to record one.

comment on column public.customers.consent_analytics is 'the customer does not object to profiling: churn and satisfaction-risk models may score them (app.profiling_allowed).';
comment on column public.customers.consent_marketing is 'marketing-type outputs (upsell candidates) may include the customer (app.marketing_allowed).';
comment on column public.customers.consent_surveys is 'satisfaction surveys may be sent to and recorded for the customer.';

create or replace function app.profiling_allowed(p_customer_id uuid) returns boolean
language sql stable
set search_path = ''
as $$
  select coalesce(
    (select c.consent_analytics and c.erased_at is null from public.customers c where c.id = p_customer_id),
    false)
$$;
comment on function app.profiling_allowed(uuid) is 'whether models may score the customer (churn risk, satisfaction risk): they have not objected to profiling and were not erased.';
grant execute on function app.profiling_allowed(uuid) to authenticated, service_role;

create or replace function app.marketing_allowed(p_customer_id uuid) returns boolean
language sql stable
set search_path = ''
as $$
  select coalesce(
    (select c.consent_marketing and c.erased_at is null from public.customers c where c.id = p_customer_id),
    false)
$$;
comment on function app.marketing_allowed(uuid) is 'whether marketing-type outputs (upsell candidates) may include the customer.';
grant execute on function app.marketing_allowed(uuid) to authenticated, service_role;

-- surveys: refused without consent
create or replace function app.require_survey_consent() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not exists (select 1 from public.customers c
                 where c.id = new.customer_id and c.consent_surveys and c.erased_at is null) then
    raise exception 'customer % has not consented to surveys', new.customer_id
      using errcode = 'check_violation', table = tg_table_name, column = 'customer_id';
  end if;
  return new;
end;
$$;
comment on function app.require_survey_consent() is 'before insert trigger on surveys: refuses a survey of a customer without survey consent.';
revoke execute on function app.require_survey_consent() from public, anon, authenticated;
create trigger support_feedback_surveys_require_consent
  before insert or update of customer_id on public.support_feedback_surveys
  for each row execute function app.require_survey_consent();

-- predictions: per-customer model scores dropped for customers who object to profiling
create or replace function app.drop_unconsented_scores() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if new.customer_id is not null and new.prediction_type in ('churn_risk', 'csat')
     and not app.profiling_allowed(new.customer_id) then
    return null;
  end if;
  return new;
end;
$$;
comment on function app.drop_unconsented_scores() is 'before insert trigger on predictions: silently skips churn-risk and satisfaction scores of customers who object to profiling (security definer: reads the customer''s consent whatever the writer may see).';
revoke execute on function app.drop_unconsented_scores() from public, anon, authenticated;
create trigger support_predictions_drop_unconsented
  before insert or update of customer_id, prediction_type on public.support_predictions
  for each row execute function app.drop_unconsented_scores();

-- consent changes audited
create or replace function app.audit_consent_change() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  insert into public.privacy_audit_log (action, actor_user_id, actor_role, customer_id, subject_count, details)
  select 'consent_change', auth.uid(),
         coalesce(nullif(app.app_role(), ''), auth.role(), session_user::text), n.id, 1,
         pg_catalog.jsonb_build_object(
           'before', pg_catalog.jsonb_build_object('marketing', o.consent_marketing,
                                                   'analytics', o.consent_analytics,
                                                   'surveys', o.consent_surveys),
           'after', pg_catalog.jsonb_build_object('marketing', n.consent_marketing,
                                                  'analytics', n.consent_analytics,
                                                  'surveys', n.consent_surveys))
  from new_rows n
  join old_rows o on o.id = n.id
  where (o.consent_marketing, o.consent_analytics, o.consent_surveys)
        is distinct from (n.consent_marketing, n.consent_analytics, n.consent_surveys);
  return null;
end;
$$;
comment on function app.audit_consent_change() is 'statement trigger on customers: one audit row per customer whose consent flags changed, with before and after (security definer: writes the audit log).';
revoke execute on function app.audit_consent_change() from public, anon, authenticated;
create trigger customers_audit_consent
  after update on public.customers
  referencing old table as old_rows new table as new_rows
  for each statement execute function app.audit_consent_change();

create or replace function app.set_consent(
  p_customer_id uuid, p_marketing boolean, p_analytics boolean, p_surveys boolean
) returns table (consent_marketing boolean, consent_analytics boolean, consent_surveys boolean)
language plpgsql volatile security definer
set search_path = ''
as $$
begin
  perform app.require_privacy_role('recording consent', p_customer_id);
  return query
  update public.customers c
  set consent_marketing = coalesce(p_marketing, c.consent_marketing),
      consent_analytics = coalesce(p_analytics, c.consent_analytics),
      consent_surveys = coalesce(p_surveys, c.consent_surveys)
  where c.id = p_customer_id
  returning c.consent_marketing, c.consent_analytics, c.consent_surveys;
end;
$$;
comment on function app.set_consent(uuid, boolean, boolean, boolean) is 'records a customer''s consent (null = unchanged); admin and dpo; audited by the customers trigger. security definer: api roles may not update customers.';
revoke execute on function app.set_consent(uuid, boolean, boolean, boolean) from public, anon;
grant execute on function app.set_consent(uuid, boolean, boolean, boolean) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- k-anonymity: how many distinct customers are behind each group of a kpi source's figures
-- (under the caller's row level security, as the figures themselves)
-- ---------------------------------------------------------------------------------------------

create or replace function app.group_customer_counts(
  p_source text, p_from timestamptz, p_to timestamptz, p_group text, p_team uuid, p_agent uuid
) returns table (group_key text, customers bigint)
language sql stable
set search_path = ''
as $$
  with rows as (
    -- tickets created or resolved in the window (ticket kpis)
    select analytics.group_key(p_group, t.channel, c.path, t.priority, t.status, t.vip_tier,
                               t.team_id, t.assigned_agent_id) as k, t.customer_id
    from public.support_tickets t
    left join public.support_categories c on c.id = t.category_id
    where p_source not in ('surveys', 'sla', 'backlog', 'vip')
      and ((t.created_at >= p_from and t.created_at < p_to)
           or (t.resolved_at >= p_from and t.resolved_at < p_to))
      and (p_team is null or t.team_id = p_team)
      and (p_agent is null or t.assigned_agent_id = p_agent)
    union all
    -- tickets open at the window's end (backlog)
    select analytics.group_key(p_group, t.channel, c.path, t.priority, t.status, t.vip_tier,
                               t.team_id, t.assigned_agent_id), t.customer_id
    from public.support_tickets t
    left join public.support_categories c on c.id = t.category_id
    where p_source = 'backlog' and t.created_at < p_to
      and (t.resolved_at is null or t.resolved_at >= p_to)
      and (p_team is null or t.team_id = p_team)
      and (p_agent is null or t.assigned_agent_id = p_agent)
    union all
    -- surveys sent in the window
    select analytics.group_key(p_group, t.channel, c.path, t.priority, t.status, t.vip_tier,
                               f.ticket_team_id, f.ticket_agent_id), f.customer_id
    from public.support_feedback_surveys f
    join public.support_tickets t on t.id = f.ticket_id
    left join public.support_categories c on c.id = t.category_id
    where p_source = 'surveys' and f.sent_at >= p_from and f.sent_at < p_to
      and (p_team is null or f.ticket_team_id = p_team)
      and (p_agent is null or f.ticket_agent_id = p_agent)
    union all
    -- sla targets due in the window
    select case when p_group = 'policy' then s.sla_policy_id::text
                else analytics.group_key(p_group, t.channel, c.path, t.priority, t.status,
                                         t.vip_tier, s.ticket_team_id, s.ticket_agent_id) end,
           t.customer_id
    from public.support_sla_compliance s
    join public.support_tickets t on t.id = s.ticket_id
    left join public.support_categories c on c.id = t.category_id
    where p_source = 'sla' and s.due_at >= p_from and s.due_at < p_to
      and (p_team is null or s.ticket_team_id = p_team)
      and (p_agent is null or s.ticket_agent_id = p_agent)
    union all
    -- vip periods overlapping the window
    select v.vip_tier, v.customer_id
    from public.support_vip_tracking v
    where p_source = 'vip' and v.effective_from < p_to
      and (v.effective_to is null or v.effective_to > p_from)
  )
  select r.k, count(distinct r.customer_id) from rows r group by r.k
$$;
comment on function app.group_customer_counts(text, timestamptz, timestamptz, text, uuid, uuid) is 'distinct customers behind each group of a kpi source (tickets, backlog, surveys, sla, vip) over a window, for k-anonymity suppression of analysts'' grouped figures.';
grant execute on function app.group_customer_counts(text, timestamptz, timestamptz, text, uuid, uuid) to authenticated;
