-- sla targets due in [$1, $2) of tickets created in [$1, $2) by clients with a dedicated agent
-- (as the owner).
select c.dedicated_agent_id, x.status
from public.customers c
join public.support_tickets t on t.customer_id = c.id
join public.support_sla_compliance x on x.ticket_id = t.id
where c.dedicated_agent_id is not null
  and t.created_at >= $1 and t.created_at < $2
  and x.due_at >= $1 and x.due_at < $2;
