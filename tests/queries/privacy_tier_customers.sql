-- test support: distinct customers per vip tier of the tickets created or resolved in [$1, $2)
-- (an independent restatement of the k-anonymity group size for ticket kpis).
select coalesce(t.vip_tier, 'standard') as tier, count(distinct t.customer_id) as customers
from public.support_tickets t
where (t.created_at >= $1 and t.created_at < $2) or (t.resolved_at >= $1 and t.resolved_at < $2)
group by 1;
