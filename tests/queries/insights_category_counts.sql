-- test support (insights automation): tickets created in [$1, $2) per category path, as the
-- database owner.
select c.path, count(*)::int as n
from public.support_tickets t
join public.support_categories c on c.id = t.category_id
where t.created_at >= $1 and t.created_at < $2
group by 1;
