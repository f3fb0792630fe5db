-- agents with their team and how many records of each kind they have (as the owner).
select a.id, a.team_id,
  (select count(*) from public.support_qa_evaluations e where e.agent_id = a.id) as evaluations,
  (select count(*) from public.support_training_records r where r.agent_id = a.id) as training,
  (select count(*) from public.support_agents_metrics m where m.agent_id = a.id) as metrics
from public.agents a
order by a.id;
