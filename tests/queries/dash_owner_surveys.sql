-- csat answers of surveys sent in [$1, $2) with their ticket's team and agent (as the owner).
select s.csat_rating, t.team_id, t.assigned_agent_id
from public.support_feedback_surveys s
join public.support_tickets t on t.id = s.ticket_id
where s.sent_at >= $1 and s.sent_at < $2 and s.csat_rating is not null;
