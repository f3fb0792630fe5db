-- the agent row and team of every user who is an agent (as the owner).
select a.user_id, a.id as agent_id, a.team_id
from public.agents a
where a.user_id is not null;
