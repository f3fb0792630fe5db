-- stored churn scores with target_start in [$1, $2) whose 90-day period has ended by $3, with
-- whether the client's churned period started inside it (the outcome).
select p.id, p.target_start, p.target_end, p.model, p.model_version, p.predicted_value,
       exists (select 1 from public.support_vip_tracking v
               where v.customer_id = p.customer_id and v.change_reason = 'churned'
                 and v.effective_from >= p.target_start and v.effective_from < p.target_end)
         as outcome
from public.support_predictions p
where p.prediction_type = 'churn_risk' and p.customer_id is not null
  and p.target_start >= $1::timestamptz and p.target_start < $2::timestamptz
  and p.target_end <= $3::timestamptz
order by p.model, p.model_version, p.id;
