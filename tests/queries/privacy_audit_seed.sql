-- test support: one admin event, so that row triggers have a row to refuse.
select app.audit_append('[{"action": "admin", "details": {"test": true}}]'::jsonb);
