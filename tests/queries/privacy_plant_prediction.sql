-- test support: a churn risk score about the customer.
insert into public.support_predictions
  (prediction_type, target_start, target_end, customer_id, predicted_value, model)
values ('churn_risk', now(), now() + interval '30 days', $1, 0.42, 'privacy-test');
