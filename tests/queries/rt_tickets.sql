-- realtime tests: every ticket's visibility columns and state, as the owner.
select t.id, t.team_id, t.assigned_agent_id, t.status, t.priority, t.resolved_at
from public.support_tickets t
order by t.id;
