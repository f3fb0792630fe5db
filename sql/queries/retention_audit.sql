-- retention: the run's report in the audit log.
select app.audit_record('retention_run', null, null, $1::jsonb);
