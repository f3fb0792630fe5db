-- test support (insights accuracy): a hand-made volume prediction (model 'hand', version '1')
-- for [$1, $2): value $3 with the 80% interval [$4, $5].
insert into public.support_predictions (prediction_type, target_start, target_end,
  predicted_value, lower_80, upper_80, model, model_version)
values ('volume', $1, $2, $3, $4, $5, 'hand', '1');
