-- test support (insights skill gaps): tickets of team $1's agents resolved in [$2, $3), raw: leaf
-- category path, channel, created and resolved times, reopen count, the answered survey's csat
-- (null without one), as the database owner.
select t.id, t.assigned_agent_id::text as agent, c.path, t.channel::text as channel,
       t.created_at, t.resolved_at, t.reopen_count, f.csat_rating::float as csat
from public.support_tickets t
join public.agents a on a.id = t.assigned_agent_id
join public.support_categories c on c.id = t.category_id
left join public.support_feedback_surveys f on f.ticket_id = t.id
where a.team_id = $1 and t.resolved_at >= $2 and t.resolved_at < $3;
