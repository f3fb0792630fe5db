-- realtime tests: every user with an application role, their agent row and team as row level
-- security resolves them (app.current_agent_id / app.current_team_id), as the owner.
select ur.user_id, ur.app_role, a.id as agent_id, coalesce(ur.team_id, a.team_id) as team_id
from public.user_roles ur
left join public.agents a on a.user_id = ur.user_id
order by ur.app_role, ur.user_id;
