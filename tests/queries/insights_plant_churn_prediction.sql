-- test support (insights accuracy): a hand-made churn score (model 'hand', version '1') of
-- client $3 for [$1, $2): probability $4.
insert into public.support_predictions (prediction_type, target_start, target_end, customer_id,
  predicted_value, model, model_version)
values ('churn_risk', $1, $2, $3, $4, 'hand', '1');
