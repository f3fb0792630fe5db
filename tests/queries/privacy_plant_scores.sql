-- test support: a churn risk score of customer $1, a satisfaction risk score of their ticket $2
-- (no customer_id, as the ticket scorer may store it) and an organisation-level csat forecast,
-- by model $3; returns how many rows were stored.
with ins as (
  insert into public.support_predictions
    (prediction_type, target_start, target_end, scope, customer_id, ticket_id, predicted_value, model)
  values ('churn_risk', now(), now() + interval '90 days', 'customer', $1, null, 0.3, $3),
         ('satisfaction_risk', now(), now() + interval '1 day', 'ticket', null, $2, 0.4, $3),
         ('csat', now(), now() + interval '1 day', 'all', null, null, 4.1, $3)
  returning 1)
select count(*) from ins;
