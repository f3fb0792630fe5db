-- test support: users per application role, leads per team, agents rows per role.
select ur.app_role, count(*) as users, count(distinct ur.team_id) as teams, count(a.id) as agent_rows
from public.user_roles ur
left join public.agents a on a.user_id = ur.user_id
group by ur.app_role
order by ur.app_role;
