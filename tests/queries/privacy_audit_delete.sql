-- test support: an attempt to delete from the audit log (must be refused for every role).
delete from public.privacy_audit_log;
