-- statistics tests: every ticket's lifecycle columns and scope (as the owner: no rls).
select t.id, t.status, t.created_at, t.first_response_at, t.first_resolved_at, t.resolved_at,
       t.reopen_count, t.category_id, t.team_id, t.assigned_agent_id
from public.support_tickets t
order by t.id;
