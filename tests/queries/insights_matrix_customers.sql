-- test support (insights role matrix): customers a viewer scope may see, as the database owner,
-- spelled out from the customers policy: everyone when $1 (sees all), else the clients whose
-- dedicated agent is the viewer ($3) or an agent of the led team ($2), and the customers of
-- tickets of the led team or assigned to the viewer.
select c.id, c.vip_tier, c.consent_marketing
from public.customers c
left join public.agents d on d.id = c.dedicated_agent_id
where $1::boolean
   or c.dedicated_agent_id = $3::uuid
   or d.team_id = $2::uuid
   or exists (select 1 from public.support_tickets t
              where t.customer_id = c.id
                and (t.team_id = $2::uuid or t.assigned_agent_id = $3::uuid));
