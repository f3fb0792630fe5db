-- test support: a qa review with feedback, on the first ticket with an agent (as the owner).
insert into public.support_qa_evaluations
  (ticket_id, agent_id, evaluated_at, score, empathy, accuracy, tone, process, feedback)
select t.id, t.assigned_agent_id, $1, 4, 4, 4, 4, 4, 'client was upset about the delay'
from public.support_tickets t where t.assigned_agent_id is not null order by t.id limit 1;
