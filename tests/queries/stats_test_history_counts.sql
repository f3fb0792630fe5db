-- statistics tests: status-history rows the caller may read, and those of agent $1's tickets
-- (the latter meaningful as the owner).
select count(*) as visible, count(*) filter (where h.ticket_agent_id = $1) as of_agent
from public.support_ticket_status_history h;
