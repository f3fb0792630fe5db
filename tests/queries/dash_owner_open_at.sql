-- tickets open at instant $1 (created before it, not resolved by then) with priority and age in
-- hours (as the owner).
select t.priority, extract(epoch from $1 - t.created_at) / 3600.0 as age_hours
from public.support_tickets t
where t.created_at < $1 and (t.resolved_at is null or t.resolved_at > $1);
