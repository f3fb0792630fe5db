-- test support (insights skill gaps): tickets of team $1's agents resolved in [$2, $3) with their
-- root category and csat (null without an answered survey), as the database owner.
select t.assigned_agent_id::text as agent, split_part(c.path, '/', 1) as root,
       f.csat_rating::float as csat
from public.support_tickets t
join public.agents a on a.id = t.assigned_agent_id
join public.support_categories c on c.id = t.category_id
left join public.support_feedback_surveys f on f.ticket_id = t.id
where a.team_id = $1 and t.resolved_at >= $2 and t.resolved_at < $3;
