-- scope sync tests: a ticket of team $1 without a survey (to move a survey onto).
select t.id, t.team_id, t.assigned_agent_id
from public.support_tickets t
where t.team_id = $1
  and t.assigned_agent_id is not null
  and not exists (select 1 from public.support_feedback_surveys f where f.ticket_id = t.id)
order by t.id
limit 1;
