-- test support: a churn risk score of customer $1 by model $2; the rows actually stored.
with ins as (
  insert into public.support_predictions
    (prediction_type, target_start, target_end, scope, customer_id, predicted_value, model)
  values ('churn_risk', now(), now() + interval '90 days', 'customer', $1, 0.3, $2)
  returning 1)
select count(*) from ins;
