-- test support (insights skill gaps): completed training of team $1's agents, as the database
-- owner.
select r.agent_id::text as agent, r.course, r.skill, r.completed_at
from public.support_training_records r
join public.agents a on a.id = r.agent_id
where a.team_id = $1 and r.completed_at is not null;
