-- test support: vip clients with whether any of their tickets breached an sla target and churn.
select
  exists (
    select 1 from public.support_tickets t
    join public.support_sla_compliance s on s.ticket_id = t.id
    where t.customer_id = c.id and s.status = 'breached'
  ) as breached,
  c.status = 'churned' as churned
from public.customers c
where c.vip_tier is not null;
