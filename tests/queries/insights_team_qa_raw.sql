-- test support (insights skill gaps): qa evaluations of tickets of team $1's agents resolved in
-- [$2, $3), one row per evaluation, as the database owner.
select q.ticket_id as id, q.score::float as score
from public.support_qa_evaluations q
join public.support_tickets t on t.id = q.ticket_id
join public.agents a on a.id = t.assigned_agent_id
where a.team_id = $1 and t.resolved_at >= $2 and t.resolved_at < $3;
