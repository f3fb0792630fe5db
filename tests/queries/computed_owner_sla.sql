-- sla targets due in [$1, $2) (the sla kpi's population) with the ticket's customer and the
-- times that decide the outcome (as the owner).
select t.customer_id, x.due_at, x.achieved_at
from public.support_sla_compliance x
join public.support_tickets t on t.id = x.ticket_id
where x.due_at >= $1 and x.due_at < $2;
