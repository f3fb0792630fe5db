-- test support: an open alert about no ticket (no personal data), its id. as the owner.
insert into public.support_alerts (alert_type, severity, dedup_key, title, message, details)
values ('volume_spike', 'info', 'admin-audit-' || gen_random_uuid()::text, 'Volume test',
        'an alert to acknowledge and resolve', '{}'::jsonb)
returning id;
