-- statistics tests: an open ticket with an agent, and another team's agent (as the owner).
select t.id, t.team_id, t.assigned_agent_id, a.id as other_agent, a.team_id as other_team
from public.support_tickets t
join public.agents a on a.team_id <> t.team_id
where t.status = 'open' and t.assigned_agent_id is not null
order by t.id, a.id
limit 1;
