-- test support: a survey of ticket $1 for its customer (as the owner).
insert into public.support_feedback_surveys (ticket_id, customer_id, sent_at)
select t.id, t.customer_id, t.resolved_at + interval '1 hour'
from public.support_tickets t where t.id = $1
returning id;
