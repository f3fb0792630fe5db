-- test support: a customer with a given survey and analytics consent, with a resolved ticket
-- without a survey; the $3-th in id order.
select c.id, t.id as ticket_id
from public.customers c
join public.support_tickets t on t.customer_id = c.id
where c.consent_surveys = $1 and c.consent_analytics = $2 and c.erased_at is null
  and t.resolved_at is not null
  and not exists (select 1 from public.support_feedback_surveys f where f.ticket_id = t.id)
order by c.id, t.id
offset $3 limit 1;
