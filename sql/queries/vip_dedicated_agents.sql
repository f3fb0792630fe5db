-- dedicated-agent performance (docs/metrics.md, vip): for each agent who is the dedicated agent of
-- vip clients and whose clients created tickets in [$1, $2), the kpis of those clients' tickets
-- (whoever handled them), as far as the caller may see them, each over the kpi's own population
-- and expression:
--   tickets, handled personally, frt (median seconds of first_response_at - created_at, tickets
--   created in the window, then minutes: the first_response_time kpi);
--   resolution (median seconds of resolved_at - created_at, tickets resolved in the window, then
--   hours: the resolution_time kpi);
--   csat (analytics.csat_ratings: surveys sent in the window: the csat kpi);
--   sla (analytics.sla_outcomes: targets due in the window achieved / breached as of
--   least($3, $2), $3 the request's clock: the sla_compliance kpi).
with clients as (
  select c.id as customer_id, c.dedicated_agent_id as agent_id
  from public.customers c
  where c.dedicated_agent_id is not null
),
created as (
  select
    cl.agent_id,
    count(*)::int as tickets,
    count(*) filter (where t.assigned_agent_id = cl.agent_id)::int as handled_personally,
    percentile_cont(0.5) within group (
      order by pg_catalog.date_part('epoch', t.first_response_at - t.created_at)
    ) / 60.0 as frt_median_minutes
  from clients cl
  join public.support_tickets t on t.customer_id = cl.customer_id
  where t.created_at >= $1 and t.created_at < $2
  group by cl.agent_id
),
resolved as (
  select
    cl.agent_id,
    percentile_cont(0.5) within group (
      order by pg_catalog.date_part('epoch', t.resolved_at - t.created_at)
    ) / 3600.0 as resolution_median_hours
  from clients cl
  join public.support_tickets t on t.customer_id = cl.customer_id
  where t.resolved_at >= $1 and t.resolved_at < $2
  group by cl.agent_id
),
rated as (
  select cl.agent_id, avg(r.csat_rating)::float8 as csat_mean, count(*)::int as csat_n
  from analytics.csat_ratings($1, $2) r
  join clients cl on cl.customer_id = r.customer_id
  group by cl.agent_id
),
sla as (
  select
    cl.agent_id,
    count(*) filter (where o.achieved)::int as sla_achieved,
    count(*) filter (where o.breached)::int as sla_missed
  from analytics.sla_outcomes($1, $2, $3) o
  -- the ticket's customer by primary key per target (the targets due in the window are far
  -- fewer than the clients' tickets, which a join would scan whole)
  join clients cl on cl.customer_id = (
    select t.customer_id from public.support_tickets t where t.id = o.ticket_id)
  group by cl.agent_id
)
select
  a.id as agent_id,
  a.display_name as agent_name,
  c.tickets,
  c.handled_personally,
  c.frt_median_minutes,
  r.resolution_median_hours,
  q.csat_mean,
  coalesce(q.csat_n, 0) as csat_n,
  coalesce(s.sla_achieved, 0) as sla_achieved,
  coalesce(s.sla_missed, 0) as sla_missed
from public.agents a
join created c on c.agent_id = a.id
left join resolved r on r.agent_id = a.id
left join rated q on q.agent_id = a.id
left join sla s on s.agent_id = a.id
order by a.display_name, a.id;
