-- every stored prediction of one type ($1), in target order (as the owner: no rls).
select * from public.support_predictions
where prediction_type = $1
order by target_start, id;
