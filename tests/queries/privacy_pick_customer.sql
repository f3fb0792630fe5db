-- test support: customers whose full name and email no other customer shares, with at least
-- two tickets and a survey, the $1-th of them (0-based) in id order.
select c.id, cc.full_name, cc.email, cc.phone
from public.customers c
join public.customer_contacts cc on cc.customer_id = c.id
where (select count(*) from public.customer_contacts o where o.full_name = cc.full_name) = 1
  and (select count(*) from public.customer_contacts o where o.email = cc.email) = 1
  and (select count(*) from public.support_tickets t where t.customer_id = c.id) >= 2
  and exists (select 1 from public.support_feedback_surveys f where f.customer_id = c.id)
  and c.erased_at is null
order by c.id
offset $1 limit 1;
