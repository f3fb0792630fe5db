-- the model of type $1 trained on exactly the window [$2, $3), if one was (training is
-- idempotent per window).
select m.id, m.model_type, m.version, m.method, m.trained_at, m.training_from, m.training_to,
       m.trained_as, m.n_train, m.n_test, m.metrics, m.parameters
from public.support_insight_models m
where m.model_type = $1::text and m.training_from = $2::timestamptz
  and m.training_to = $3::timestamptz
order by m.version desc
limit 1;
