-- live dashboard (until the kpi engine's dashboard lands): headline figures of the window
-- [$1, $2) under the caller's row level security.
--   created           tickets created in the window
--   resolved          tickets whose latest resolution falls in the window
--   open_backlog      tickets not resolved now (any creation time), and the same by status
--   overdue           open tickets past their resolution due time at $2
-- first response time is not here: the dashboard shows the first_response_time kpi of the kpi
-- engine (resolvers.live.dashboard_snapshot), one figure.
select
  (select count(*) from public.support_tickets t
   where t.created_at >= $1::timestamptz and t.created_at < $2::timestamptz)::int as created,
  (select count(*) from public.support_tickets t
   where t.resolved_at >= $1::timestamptz and t.resolved_at < $2::timestamptz)::int as resolved,
  b.open_backlog,
  b.statuses,
  b.status_counts,
  b.overdue
from (
  select coalesce(sum(s.n), 0)::int as open_backlog,
         coalesce(array_agg(s.status order by s.status), '{}') as statuses,
         coalesce(array_agg(s.n order by s.status), '{}') as status_counts,
         coalesce(sum(s.overdue), 0)::int as overdue
  from (
    select t.status, count(*)::int as n,
           count(*) filter (where t.resolution_due_at < $2::timestamptz)::int as overdue
    from public.support_tickets t
    where t.resolved_at is null
    group by t.status
  ) s
) b;
