-- scope sync tests: an sla row and a survey for ticket $1, claiming a wrong scope (team $2,
-- agent $3) that the insert trigger must replace with the ticket's.
with sla as (
  insert into public.support_sla_compliance
    (ticket_id, sla_policy_id, target_type, target_minutes, due_at, status,
     ticket_team_id, ticket_agent_id)
  select t.id, t.sla_policy_id, 'first_response', 60, now() + interval '1 hour', 'pending', $2, $3
  from public.support_tickets t where t.id = $1
  returning id
)
insert into public.support_feedback_surveys
  (ticket_id, customer_id, sent_at, ticket_team_id, ticket_agent_id)
select t.id, t.customer_id, now(), $2, $3
from public.support_tickets t where t.id = $1 and exists (select 1 from sla)
returning id;
