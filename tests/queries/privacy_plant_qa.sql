-- test support: a qa review quoting the customer, on one of their tickets.
insert into public.support_qa_evaluations
  (ticket_id, agent_id, evaluated_at, score, empathy, accuracy, tone, process, feedback)
select t.id, coalesce(t.assigned_agent_id, (select a.id from public.agents a order by a.id limit 1)),
       t.created_at, 4, 4, 4, 4, 4, 'Good call with ' || $2 || ', who wrote from ' || $3
from public.support_tickets t
where t.id = $1;
