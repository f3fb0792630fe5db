-- test support: an alert quoting a ticket of the customer.
insert into public.support_alerts (alert_type, severity, dedup_key, title, message, ticket_id, details)
values ('sla_breach', 'warning', 'privacy-test-' || $1::bigint::text, 'Breach for ' || $2::text,
        'Ticket of ' || $3::text || ' is late', $1::bigint, jsonb_build_object('customer', $2::text));
