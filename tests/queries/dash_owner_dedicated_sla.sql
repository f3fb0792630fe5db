-- sla targets due in [$1, $2) of tickets (created at any time) of clients with a dedicated agent:
-- the sla kpi's population (as the owner), with the times that decide the outcome.
select c.dedicated_agent_id, x.due_at, x.achieved_at
from public.customers c
join public.support_tickets t on t.customer_id = c.id
join public.support_sla_compliance x on x.ticket_id = t.id
where c.dedicated_agent_id is not null
  and x.due_at >= $1 and x.due_at < $2;
