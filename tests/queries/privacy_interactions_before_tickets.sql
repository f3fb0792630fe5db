-- test support: how many interactions precede their ticket (the lookups' bound needs none).
select count(*) from public.support_interactions i
join public.support_tickets t on t.id = i.ticket_id
where i.created_at < t.created_at;
