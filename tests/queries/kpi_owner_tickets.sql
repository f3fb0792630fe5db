-- kpi tests: every ticket with the attributes the kpis group and count by (as the owner: no rls).
-- first response and reply counts are deliberately not read from the ticket's own columns: the
-- tests derive them from the interactions (kpi_owner_agent_replies).
select t.id, t.customer_id, t.channel, c.path as category_path, t.priority, t.status, t.team_id,
       t.assigned_agent_id, t.vip_tier, t.is_white_glove, t.created_at, t.first_resolved_at,
       t.resolved_at, t.reopen_count
from public.support_tickets t
join public.support_categories c on c.id = t.category_id
order by t.id;
