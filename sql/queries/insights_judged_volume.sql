-- stored volume forecasts with target_start in [$1, $2) whose period has ended by $3, with the
-- tickets created in their period that the caller may see (the outcome).
select p.id, p.target_start, p.target_end, p.model, p.model_version, p.predicted_value,
       p.lower_80, p.upper_80, p.lower_95, p.upper_95, p.created_at,
       (select count(*) from public.support_tickets t
        where t.created_at >= p.target_start and t.created_at < p.target_end)::double precision
         as actual
from public.support_predictions p
where p.prediction_type = 'volume' and p.scope = 'all'
  and p.target_start >= $1::timestamptz and p.target_start < $2::timestamptz
  and p.target_end <= $3::timestamptz
order by p.model, p.model_version, p.target_start;
