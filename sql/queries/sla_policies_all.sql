-- every sla policy with its business calendar.
select p.*, bc.name as calendar_name, bc.timezone as calendar_timezone,
       bc.open_days, bc.opens_at, bc.closes_at
from public.support_sla_policies p
left join public.support_business_calendars bc on bc.id = p.calendar_id
order by p.customer_tier, p.priority, p.id;
