-- tickets created in [$1, $2) with their category path, customer, team, agent, status and
-- survey answer (as the owner).
select t.id, t.customer_id, t.team_id, t.assigned_agent_id, t.resolved_at, c.path,
       s.csat_rating
from public.support_tickets t
join public.support_categories c on c.id = t.category_id
left join public.support_feedback_surveys s on s.ticket_id = t.id
where t.created_at >= $1 and t.created_at < $2;
