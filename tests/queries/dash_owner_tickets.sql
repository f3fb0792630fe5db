-- tickets created in [$1, $2) with their team, agent and survey answer (as the owner).
select t.id, t.team_id, t.assigned_agent_id, t.channel, s.csat_rating, s.sent_at
from public.support_tickets t
left join public.support_feedback_surveys s on s.ticket_id = t.id
where t.created_at >= $1 and t.created_at < $2;
