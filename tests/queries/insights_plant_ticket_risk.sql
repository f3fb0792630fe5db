-- test support (insights accuracy): a hand-made satisfaction-risk score (model 'hand', version
-- '1') of ticket $3 for [$1, $2): probability $4.
insert into public.support_predictions (prediction_type, target_start, target_end, ticket_id,
  predicted_value, model, model_version)
values ('satisfaction_risk', $1, $2, $3, $4, 'hand', '1');
