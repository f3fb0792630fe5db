-- statistics tests: tickets created in [$1, $2) with creation time, channel, team and assigned
-- agent (as the owner: no rls).
select t.created_at, t.channel, t.team_id::text as team_id,
       t.assigned_agent_id::text as agent_id
from public.support_tickets t
where t.created_at >= $1 and t.created_at < $2;
