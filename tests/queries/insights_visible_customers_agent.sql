-- test support (insights roles): customers agent user $1 may see by the customers policy (their
-- dedicated clients and the clients of tickets assigned to them), as the database owner.
select c.id
from public.customers c
where exists (
  select 1 from public.agents a
  where a.user_id = $1
    and (c.dedicated_agent_id = a.id
         or exists (select 1 from public.support_tickets t
                    where t.customer_id = c.id and t.assigned_agent_id = a.id)));
