-- every customer with its dedicated agent's team (as the owner).
select c.id, c.dedicated_agent_id, a.team_id as dedicated_team_id
from public.customers c
left join public.agents a on a.id = c.dedicated_agent_id;
