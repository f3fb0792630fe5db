-- test support: an attempt to rewrite the audit log (must be refused for every role).
update public.privacy_audit_log set details = '{}'::jsonb;
