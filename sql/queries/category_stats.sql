-- ticket statistics of each category in $1 including all its descendants, over tickets created
-- in [$2, $3) that the caller may see (dataloader batch). frt in minutes, resolution in hours.
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
)
select
  r.root_id as category_id,
  count(sc.id)::int as tickets,
  count(sc.id) filter (where sc.resolved_at is null)::int as open,
  percentile_cont(0.5) within group (
    order by extract(epoch from sc.first_response_at - sc.created_at) / 60.0
  ) filter (where sc.first_response_at is not null) as frt_median_minutes,
  percentile_cont(0.5) within group (
    order by extract(epoch from sc.resolved_at - sc.created_at) / 3600.0
  ) filter (where sc.resolved_at is not null) as resolution_median_hours,
  avg(sv.csat_rating)::float8 as csat_mean,
  count(sv.csat_rating)::int as csat_n,
  count(sc.id) filter (where sc.reopen_count > 0)::int as reopened,
  count(sc.id) filter (where sc.resolved_at is not null)::int as resolved
from (select distinct root_id from subtree) r
left join scoped sc on sc.root_id = r.root_id
left join public.support_feedback_surveys sv on sv.ticket_id = sc.id
group by r.root_id;
