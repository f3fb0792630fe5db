-- privacy (issue 13): withdrawing profiling consent removes the customer's scores.
--
-- migration 20261202006200 dropped new 'churn_risk' and 'csat' predictions of customers who object
-- to profiling. 'csat' is an organisation-level forecast (no customer, no ticket) and
-- 'satisfaction_risk' (a score of one ticket, hence of its customer) was missed; and a customer
-- who withdrew consent kept the scores stored before. now:
--   - a prediction about a customer (customer_id set) or about one of their tickets (ticket_id
--     set), of whatever type, is skipped on insert/update while the customer objects to profiling;
--   - setting consent_analytics from true to false deletes every such prediction of the customer
--     in the same statement (so in the caller's transaction), and the consent audit row records
--     how many were deleted (details.scores_deleted);
--   - scores already stored for objecting customers are deleted once, here.

create or replace function app.drop_unconsented_scores() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if (new.customer_id is not null and not app.profiling_allowed(new.customer_id))
     or (new.ticket_id is not null and exists (
           select 1 from public.support_tickets t
           where t.id = new.ticket_id and not app.profiling_allowed(t.customer_id))) then
    return null;
  end if;
  return new;
end;
$$;
comment on function app.drop_unconsented_scores() is 'before insert/update trigger on predictions: silently skips any prediction about a customer (customer_id) or one of their tickets (ticket_id) while the customer objects to profiling or was erased (security definer: reads the customer''s consent whatever the writer may see).';
revoke execute on function app.drop_unconsented_scores() from public, anon, authenticated;

drop trigger support_predictions_drop_unconsented on public.support_predictions;
create trigger support_predictions_drop_unconsented
  before insert or update of customer_id, ticket_id, prediction_type on public.support_predictions
  for each row execute function app.drop_unconsented_scores();

create or replace function app.audit_consent_change() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  with withdrawn as (
    select n.id
    from new_rows n
    join old_rows o on o.id = n.id
    where o.consent_analytics and not n.consent_analytics
  ),
  deleted as (
    delete from public.support_predictions p
    where p.customer_id in (select w.id from withdrawn w)
       or p.ticket_id in (select t.id from public.support_tickets t
                          where t.customer_id in (select w.id from withdrawn w))
    returning coalesce(p.customer_id,
                       (select t.customer_id from public.support_tickets t where t.id = p.ticket_id))
              as customer_id
  ),
  counts as (
    select d.customer_id, count(*)::integer as n from deleted d group by d.customer_id
  )
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
         || case when o.consent_analytics and not n.consent_analytics
                 then pg_catalog.jsonb_build_object('scores_deleted', coalesce(c.n, 0))
                 else '{}'::jsonb end
  from new_rows n
  join old_rows o on o.id = n.id
  left join counts c on c.customer_id = n.id
  where (o.consent_marketing, o.consent_analytics, o.consent_surveys)
        is distinct from (n.consent_marketing, n.consent_analytics, n.consent_surveys);
  return null;
end;
$$;
comment on function app.audit_consent_change() is 'statement trigger on customers: deletes every prediction about a customer (or one of their tickets) whose profiling consent was withdrawn, and writes one audit row per customer whose consent flags changed, with before and after (and scores_deleted on a withdrawal). security definer: writes the audit log and the predictions.';
revoke execute on function app.audit_consent_change() from public, anon, authenticated;

-- scores stored before this migration for customers who object (or were erased)
delete from public.support_predictions p
where (p.customer_id is not null and not app.profiling_allowed(p.customer_id))
   or (p.ticket_id is not null and exists (
         select 1 from public.support_tickets t
         where t.id = p.ticket_id and not app.profiling_allowed(t.customer_id)));
