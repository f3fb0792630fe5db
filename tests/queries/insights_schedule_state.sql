-- test support (insights schedule): as the database owner, the runs recorded for the slot $1 and
-- in all, the rows the slot's run says it wrote, the predictions stored, and the model versions
-- stored per type.
select
  (select count(*) from public.support_insight_runs r where r.slot_start = $1::timestamptz) as slot_runs,
  (select count(*) from public.support_insight_runs) as all_runs,
  (select r.rows_written from public.support_insight_runs r where r.slot_start = $1::timestamptz) as rows_written,
  (select count(*) from public.support_predictions) as predictions,
  (select count(*) from public.support_insight_models m where m.model_type = 'churn') as churn_models,
  (select count(*) from public.support_insight_models m where m.model_type = 'satisfaction_risk') as risk_models;
