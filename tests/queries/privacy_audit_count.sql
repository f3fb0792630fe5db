-- test support: how many rows the audit log holds.
select count(*) from public.privacy_audit_log;
