-- tickets with every filterable attribute and the category's ancestors (as the owner).
select t.id, t.status, t.priority, t.channel, t.category_id, t.assigned_agent_id, t.team_id,
       t.vip_tier, t.customer_id, t.created_at, t.resolved_at, t.updated_at, c.path
from public.support_tickets t
join public.support_categories c on c.id = t.category_id
order by t.id;
