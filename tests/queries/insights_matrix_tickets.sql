-- test support (insights role matrix): tickets created in [$4, $5) a viewer scope may see (the
-- tickets policy spelled out: everything when $1, the led team $2's, those assigned to agent
-- $3) with their category path, as the database owner.
select t.id, c.path
from public.support_tickets t
join public.support_categories c on c.id = t.category_id
where t.created_at >= $4::timestamptz and t.created_at < $5::timestamptz
  and ($1::boolean or t.team_id = $2::uuid or t.assigned_agent_id = $3::uuid);
