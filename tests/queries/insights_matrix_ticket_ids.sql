-- test support (insights role matrix): which of the tickets $4 a viewer scope may see (the
-- tickets policy spelled out: everything when $1, the led team $2's, those assigned to agent
-- $3), as the database owner.
select t.id
from public.support_tickets t
where t.id = any($4::bigint[])
  and ($1::boolean or t.team_id = $2::uuid or t.assigned_agent_id = $3::uuid);
