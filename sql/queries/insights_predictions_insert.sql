-- store predictions (arrays, one element per prediction) unless the same (type, target period,
-- scope, client, ticket, model, version) is stored already; returns the rows written.
insert into public.support_predictions
  (prediction_type, target_start, target_end, scope, customer_id, ticket_id, predicted_value,
   lower_80, upper_80, lower_95, upper_95, model, model_version, training_from, training_to)
select * from unnest(
  $1::text[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::uuid[], $6::bigint[],
  $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[], $11::numeric[], $12::text[],
  $13::text[], $14::timestamptz[], $15::timestamptz[])
on conflict (prediction_type, target_start, target_end, scope, customer_id, ticket_id, model,
             model_version) do nothing
returning id;
