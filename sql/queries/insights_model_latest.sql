-- the latest version of one model type ($1), if any.
select m.id, m.model_type, m.version, m.method, m.trained_at, m.training_from, m.training_to,
       m.trained_as, m.n_train, m.n_test, m.metrics, m.parameters
from public.support_insight_models m
where m.model_type = $1::text
order by m.version desc
limit 1;
