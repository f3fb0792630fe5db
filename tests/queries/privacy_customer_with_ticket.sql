-- test support: the $2-th customer (id order) consenting to profiling ($1 = consent_analytics),
-- not erased, with one of their tickets (the lowest id).
select c.id, min(t.id) as ticket_id
from public.customers c
join public.support_tickets t on t.customer_id = c.id
where c.consent_analytics = $1 and c.erased_at is null
group by c.id
order by c.id desc
offset $2 limit 1;
