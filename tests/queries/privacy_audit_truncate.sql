-- test support: an attempt to truncate the audit log (must be refused for every role).
truncate public.privacy_audit_log;
