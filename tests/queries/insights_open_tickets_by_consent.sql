-- test support (insights consent): up to $2 open tickets (not resolved, created before now) of
-- customers whose profiling flag (analytics consent, not erased) is $1, in id order, as the
-- database owner.
select t.id, t.customer_id
from public.support_tickets t
join public.customers c on c.id = t.customer_id
where t.resolved_at is null and t.created_at < now()
  and (c.consent_analytics and c.erased_at is null) = $1
order by t.id
limit $2;
