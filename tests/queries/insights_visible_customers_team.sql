-- test support (insights roles): customers team lead user $1 may see by the customers policy
-- (dedicated clients of the team's agents and clients of the team's tickets), as the owner.
select c.id
from public.customers c
where exists (
  select 1 from public.agents a
  where a.team_id = (select ur.team_id from public.user_roles ur where ur.user_id = $1)
    and (c.dedicated_agent_id = a.id
         or exists (select 1 from public.support_tickets t
                    where t.customer_id = c.id and t.team_id = a.team_id)));
