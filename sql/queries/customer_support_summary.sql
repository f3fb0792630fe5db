-- support summary of each customer in $1 over [$2, $3), under the caller's rights (dataloader
-- batch): volume, open, white-glove, first response (the kpi's expression: median seconds, then
-- minutes) over tickets created in the window, last contact; csat and sla breaches are the kpis'
-- populations (docs/metrics.md): analytics.csat_ratings (surveys sent in the window) and
-- analytics.sla_outcomes (targets due in the window, breached as of least($4, $3), $4 the
-- request's clock), the sla_compliance kpi's breached targets.
with ticket_figures as (
  select
    c.id as customer_id,
    count(t.id)::int as tickets,
    count(t.id) filter (where t.resolved_at is null)::int as open,
    count(t.id) filter (where t.is_white_glove)::int as white_glove,
    percentile_cont(0.5) within group (
      order by pg_catalog.date_part('epoch', t.first_response_at - t.created_at)
    ) / 60.0 as frt_median_minutes,
    (select count(*) from analytics.sla_outcomes($2, $3, $4) o
      join public.support_tickets tt on tt.id = o.ticket_id
      where tt.customer_id = c.id and o.breached)::int as sla_breaches,
    max(t.created_at) as last_contact_at
  from unnest($1::uuid[]) as c (id)
  left join public.support_tickets t
    on t.customer_id = c.id and t.created_at >= $2 and t.created_at < $3
  group by c.id
),
csat as (
  select r.customer_id, avg(r.csat_rating)::float8 as csat_mean, count(*)::int as csat_n
  from analytics.csat_ratings($2, $3) r
  where r.customer_id = any($1::uuid[])
  group by r.customer_id
)
select f.customer_id, f.tickets, f.open, f.white_glove, f.frt_median_minutes, c.csat_mean,
       coalesce(c.csat_n, 0) as csat_n, f.sla_breaches, f.last_contact_at
from ticket_figures f
left join csat c on c.customer_id = f.customer_id;
