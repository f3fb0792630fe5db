-- statistics tests: the status history of ticket $1 with the transaction's start time.
select h.from_status, h.to_status, h.changed_at, h.ticket_team_id, h.ticket_agent_id,
       now() as now
from public.support_ticket_status_history h
where h.ticket_id = $1
order by h.changed_at, h.id;
