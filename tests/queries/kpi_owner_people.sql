-- kpi tests: agents with their team, and customers with their dedicated agent.
select 'agent' as kind, a.id, a.team_id, a.display_name as label, null::uuid as dedicated_agent_id
from public.agents a
union all
select 'customer', c.id, null, null, c.dedicated_agent_id
from public.customers c
order by 1, 2;
