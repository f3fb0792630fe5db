-- test support: the customer's first interaction that has a message body, with its ticket's
-- subject and the body.
select i.id as interaction_id, i.ticket_id, t.subject, b.body
from public.support_interactions i
join public.support_tickets t on t.id = i.ticket_id
join public.support_interaction_bodies b on b.interaction_id = i.id
where t.customer_id = $1
order by i.id
limit 1;
