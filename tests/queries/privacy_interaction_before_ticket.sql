-- test support: an interaction on ticket $1 a day before the ticket was created (refused).
insert into public.support_interactions (ticket_id, author_type, channel, created_at)
select t.id, 'system', t.channel, t.created_at - interval '1 day'
from public.support_tickets t where t.id = $1;
