-- test support: predictions of any type about a customer, or one of their tickets, who objects
-- to profiling or was erased (none).
select count(*) from public.support_predictions p
left join public.support_tickets t on t.id = p.ticket_id
join public.customers c on c.id = coalesce(p.customer_id, t.customer_id)
where not c.consent_analytics or c.erased_at is not null;
