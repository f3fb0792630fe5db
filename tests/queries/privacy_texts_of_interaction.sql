-- test support: an interaction's ticket subject and message body.
select t.subject, b.body
from public.support_interactions i
join public.support_tickets t on t.id = i.ticket_id
join public.support_interaction_bodies b on b.interaction_id = i.id
where i.id = $1;
