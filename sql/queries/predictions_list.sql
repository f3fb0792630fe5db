-- stored predictions of one type ($1) whose target period starts in [$2, $3) (a null end is
-- open), in target order (ties by id).
select p.id, p.prediction_type, p.target_start, p.target_end, p.scope, p.customer_id,
       p.predicted_value, p.lower_80, p.upper_80, p.lower_95, p.upper_95, p.model, p.created_at
from public.support_predictions p
where p.prediction_type = $1::text
  and ($2::timestamptz is null or p.target_start >= $2::timestamptz)
  and ($3::timestamptz is null or p.target_start < $3::timestamptz)
order by p.target_start, p.id;
