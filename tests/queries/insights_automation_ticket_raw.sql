-- test support (insights automation): tickets created in [$1, $2), raw: leaf category path,
-- agent replies, reopen count, resolution time, as the database owner.
select t.id, c.path, t.agent_reply_count, t.reopen_count, t.resolved_at
from public.support_tickets t
join public.support_categories c on c.id = t.category_id
where t.created_at >= $1 and t.created_at < $2;
