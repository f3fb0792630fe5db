-- test support (insights accuracy): a hand-made csat forecast (model 'hand', version '1') for
-- [$1, $2): value $3 with the 80% interval [$4, $5] and the 95% interval [$6, $7].
insert into public.support_predictions (prediction_type, target_start, target_end,
  predicted_value, lower_80, upper_80, lower_95, upper_95, model, model_version)
values ('csat', $1, $2, $3, $4, $5, $6, $7, 'hand', '1');
