-- every alert with the team of its agent, newest first (as the owner: no rls).
select a.*, ag.team_id as agent_team_id
from public.support_alerts a
left join public.agents ag on ag.id = a.agent_id
order by a.raised_at desc, a.id desc;
