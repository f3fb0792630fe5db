-- the lead of each team (dataloader batch $1): the agent whose user has the team_lead role there.
select ur.team_id, a.*
from public.user_roles ur
join public.agents a on a.user_id = ur.user_id
where ur.app_role = 'team_lead' and ur.team_id = any($1::uuid[]);
