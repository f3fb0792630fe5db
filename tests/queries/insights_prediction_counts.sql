-- test support (insights): stored predictions per type.
select p.prediction_type, count(*) as n from public.support_predictions p group by 1;
