-- statistics tests: every status-history row, by ticket and time (as the owner: no rls).
select h.id, h.ticket_id, h.from_status, h.to_status, h.changed_at, h.ticket_team_id,
       h.ticket_agent_id
from public.support_ticket_status_history h
order by h.ticket_id, h.changed_at, h.id;
