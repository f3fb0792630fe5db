-- training records of the agents of team $1 (every status), oldest first, under the caller's
-- rights.
select r.agent_id, r.course, r.skill, r.status, r.assigned_at, r.completed_at,
       r.score::double precision as score
from public.support_training_records r
join public.agents a on a.id = r.agent_id
where a.team_id = $1::uuid
order by r.assigned_at, r.id;
