-- test support: predictions stored by model $1, by type, as the owner.
select prediction_type, customer_id, ticket_id
from public.support_predictions
where model = $1
order by prediction_type;
