-- stored satisfaction-risk scores with target_start in [$1, $2) of tickets whose survey was
-- answered by $3, with whether the rating was 1 or 2 (the outcome).
select p.id, p.target_start, p.target_end, p.model, p.model_version, p.predicted_value,
       f.csat_rating <= 2 as outcome
from public.support_predictions p
join public.support_feedback_surveys f on f.ticket_id = p.ticket_id
where p.prediction_type = 'satisfaction_risk'
  and p.target_start >= $1::timestamptz and p.target_start < $2::timestamptz
  and f.csat_rating is not null and f.responded_at <= $3::timestamptz
order by p.model, p.model_version, p.id;
