-- ticket statistics of each category in $1 including all its descendants over [$2, $3), under
-- the caller's rights (dataloader batch). tickets, open, frt (minutes), resolved and reopened are
-- over tickets created in the window; the resolution median (hours) is the resolution_time kpi's
-- (tickets resolved in the window, median seconds of resolved_at - created_at, then hours); csat
-- is the csat kpi's population (analytics.csat_ratings: surveys sent in the window,
-- docs/metrics.md). so a root category's csat, frt and resolution median are
-- kpi(groupBy: CATEGORY)'s. the frt median is the kpi's expression (seconds of
-- first_response_at - created_at, median, then minutes).
with recursive subtree (root_id, id) as (
  select c.id, c.id from public.support_categories c where c.id = any($1::int[])
  union all
  select s.root_id, c.id
  from public.support_categories c
  join subtree s on c.parent_id = s.id
),
scoped as (
  select s.root_id, t.*
  from subtree s
  join public.support_tickets t on t.category_id = s.id
  where t.created_at >= $2 and t.created_at < $3
),
ticket_figures as (
  select
    sc.root_id,
    count(sc.id)::int as tickets,
    count(sc.id) filter (where sc.resolved_at is null)::int as open,
    percentile_cont(0.5) within group (
      order by pg_catalog.date_part('epoch', sc.first_response_at - sc.created_at)
    ) / 60.0 as frt_median_minutes,
    count(sc.id) filter (where sc.reopen_count > 0)::int as reopened,
    count(sc.id) filter (where sc.resolved_at is not null)::int as resolved
  from scoped sc
  group by sc.root_id
),
resolution as (
  select
    s.root_id,
    percentile_cont(0.5) within group (
      order by pg_catalog.date_part('epoch', t.resolved_at - t.created_at)
    ) / 3600.0 as resolution_median_hours
  from subtree s
  join public.support_tickets t on t.category_id = s.id
  where t.resolved_at >= $2 and t.resolved_at < $3
  group by s.root_id
),
csat as (
  select s.root_id, avg(r.csat_rating)::float8 as csat_mean, count(*)::int as csat_n
  from analytics.csat_ratings($2, $3) r
  join public.support_tickets t on t.id = r.ticket_id
  join subtree s on s.id = t.category_id
  group by s.root_id
)
select
  r.root_id as category_id,
  coalesce(f.tickets, 0) as tickets,
  coalesce(f.open, 0) as open,
  f.frt_median_minutes,
  rs.resolution_median_hours,
  c.csat_mean,
  coalesce(c.csat_n, 0) as csat_n,
  coalesce(f.reopened, 0) as reopened,
  coalesce(f.resolved, 0) as resolved
from (select distinct root_id from subtree) r
left join ticket_figures f on f.root_id = r.root_id
left join resolution rs on rs.root_id = r.root_id
left join csat c on c.root_id = r.root_id;
