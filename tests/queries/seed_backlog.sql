-- test support: tickets still open at the end of the seeded period, by status.
select t.status, count(*) as n, count(*) filter (where t.assigned_agent_id is null) as unassigned
from public.support_tickets t
where t.resolved_at is null
group by t.status;
