-- tickets created in [$1, $2) by clients who have a dedicated agent, with the survey answer
-- (as the owner).
select c.dedicated_agent_id, t.id, t.assigned_agent_id, t.created_at, t.first_response_at,
       s.csat_rating
from public.customers c
join public.support_tickets t on t.customer_id = c.id
left join public.support_feedback_surveys s on s.ticket_id = t.id
where c.dedicated_agent_id is not null and t.created_at >= $1 and t.created_at < $2;
