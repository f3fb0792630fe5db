-- the agent row and team of a user (as the owner).
select a.id as agent_id,
       coalesce(ur.team_id, a.team_id) as team_id
from auth.users u
left join public.agents a on a.user_id = u.id
left join public.user_roles ur on ur.user_id = u.id
where u.id = $1;
