-- dedicated-agent performance (docs/metrics.md, vip): for each agent who is the dedicated agent of
-- vip clients, the kpis of the tickets those clients created in [$1, $2) — whoever handled
-- them — as far as the caller may see them. frt in minutes, resolution in hours; sla over the
-- targets of those tickets that fell due in the window (open and past due = breached).
with client_tickets as (
  select c.dedicated_agent_id as agent_id, t.*
  from public.customers c
  join public.support_tickets t on t.customer_id = c.id
  where c.dedicated_agent_id is not null
    and t.created_at >= $1 and t.created_at < $2
)
select
  a.id as agent_id,
  a.display_name as agent_name,
  count(ct.id)::int as tickets,
  count(ct.id) filter (where ct.assigned_agent_id = a.id)::int as handled_personally,
  percentile_cont(0.5) within group (
    order by extract(epoch from ct.first_response_at - ct.created_at) / 60.0
  ) filter (where ct.first_response_at is not null) as frt_median_minutes,
  percentile_cont(0.5) within group (
    order by extract(epoch from ct.resolved_at - ct.created_at) / 3600.0
  ) filter (where ct.resolved_at is not null) as resolution_median_hours,
  avg(s.csat_rating)::float8 as csat_mean,
  count(s.csat_rating)::int as csat_n,
  (select count(*) from public.support_sla_compliance x
    join client_tickets ct2 on ct2.id = x.ticket_id
    where ct2.agent_id = a.id and x.due_at >= $1 and x.due_at < least($2, now())
      and x.status = 'achieved')::int as sla_achieved,
  (select count(*) from public.support_sla_compliance x
    join client_tickets ct2 on ct2.id = x.ticket_id
    where ct2.agent_id = a.id and x.due_at >= $1 and x.due_at < least($2, now())
      and x.status <> 'achieved')::int as sla_missed
from public.agents a
join client_tickets ct on ct.agent_id = a.id
left join public.support_feedback_surveys s on s.ticket_id = ct.id
group by a.id, a.display_name
order by a.display_name, a.id;
