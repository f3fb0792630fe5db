-- test support (insights): the stored churn scores of the run whose target period starts at $1.
select p.customer_id, p.predicted_value
from public.support_predictions p
where p.prediction_type = 'churn_risk' and p.target_start = $1;
