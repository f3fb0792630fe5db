-- insights predict (a run on demand, `support-gateway predict`): wait for the job's advisory
-- lock (the one insights_predict_try_lock.sql tries), so it never runs beside a scheduled run
-- or another on-demand run; released at commit or rollback.
select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('support-gateway insights predict'));
