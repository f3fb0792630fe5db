-- test support: an sla alert about ticket $1 raised at $2 (its title names only the ticket).
insert into public.support_alerts (alert_type, severity, dedup_key, title, message, ticket_id, raised_at)
values ('sla_breach', 'warning', 'privacy-audit-' || $1::bigint::text || '-' || $2::timestamptz::text,
        'SLA breached: ticket ' || $1::bigint::text, 'late', $1::bigint, $2::timestamptz);
