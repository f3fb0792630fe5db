-- realtime benchmark: give the agents $1 (with their teams $2, same order) $3 tickets each, the
-- first tickets by id. returns the tickets changed by the benchmark with their team and agent.
with pool as (
  select t.id, row_number() over (order by t.id) - 1 as i
  from public.support_tickets t
  order by t.id
  limit cardinality($1::uuid[]) * $3::int
)
update public.support_tickets s
set assigned_agent_id = ($1::uuid[])[1 + p.i / $3::int],
    team_id = ($2::uuid[])[1 + p.i / $3::int]
from pool p
where s.id = p.id
returning s.id, s.team_id, s.assigned_agent_id;
