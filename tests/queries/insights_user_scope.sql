-- test support (insights roles): the application role, team and agent id of each user in $1.
select ur.app_role, coalesce(ur.team_id, a.team_id) as team, a.id as agent
from public.user_roles ur
left join public.agents a on a.user_id = ur.user_id
where ur.user_id = any($1::uuid[]);
