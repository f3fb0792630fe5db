-- statistics rootCause bottlenecks: mean hours per lifecycle stage of the tickets created in a
-- window and in the comparison window, under the caller's row level security. stages:
-- waiting for the first response (created -> first public agent reply), in progress (first
-- reply -> first resolution), pending the customer and on hold (per ticket, the hours of its
-- completed stays in status pending / on_hold from public.support_ticket_status_history: a
-- stay lasts until the ticket's next status row), reopened (first resolution -> latest
-- resolution, reopened tickets). each stage's mean is over the tickets that went through it (n).
-- plan: each window's tickets by their created_at index; their history as one index-only range
-- scan of ticket ids per window (ids follow creation, so a window's tickets are nearly one id
-- range; the join to the window's tickets keeps exactly them), in the order the window
-- function needs.
-- durations are date_part('epoch', interval), double precision (extract() is numeric, ~3x slower
-- to sum over the ~150k stays of two weeks at 1m tickets).
-- $1 from, $2 to, $3 comparison from, $4 comparison to, $5 team or null, $6 agent or null.
with k as (
  select 'current'::text as period, t.id, t.created_at, t.first_response_at,
         t.first_resolved_at, t.resolved_at, t.reopen_count
  from public.support_tickets t
  where t.created_at >= $1::timestamptz and t.created_at < $2::timestamptz
    and ($5::uuid is null or t.team_id = $5::uuid)
    and ($6::uuid is null or t.assigned_agent_id = $6::uuid)
  union all
  select 'previous'::text, t.id, t.created_at, t.first_response_at,
         t.first_resolved_at, t.resolved_at, t.reopen_count
  from public.support_tickets t
  where t.created_at >= $3::timestamptz and t.created_at < $4::timestamptz
    and ($5::uuid is null or t.team_id = $5::uuid)
    and ($6::uuid is null or t.assigned_agent_id = $6::uuid)
),
bounds as (
  select k.period, min(k.id) as lo, max(k.id) as hi from k group by k.period
),
moves as (
  -- per window, its id range in index order: the window function needs no sort
  select 'current'::text as period, h.ticket_id, h.to_status, h.changed_at,
         lead(h.changed_at) over (partition by h.ticket_id order by h.changed_at, h.id)
           as left_at
  from public.support_ticket_status_history h
  where h.ticket_id between (select b.lo from bounds b where b.period = 'current')
                        and (select b.hi from bounds b where b.period = 'current')
  union all
  select 'previous'::text, h.ticket_id, h.to_status, h.changed_at,
         lead(h.changed_at) over (partition by h.ticket_id order by h.changed_at, h.id)
  from public.support_ticket_status_history h
  where h.ticket_id between (select b.lo from bounds b where b.period = 'previous')
                        and (select b.hi from bounds b where b.period = 'previous')
),
per_ticket as (
  -- per ticket of the id ranges: seconds pending the customer and on hold (null: never)
  select m.period, m.ticket_id,
         sum(date_part('epoch', m.left_at - m.changed_at))
           filter (where m.to_status = 'pending') as pending_seconds,
         sum(date_part('epoch', m.left_at - m.changed_at))
           filter (where m.to_status = 'on_hold') as on_hold_seconds
  from moves m
  where m.left_at is not null and m.to_status in ('pending', 'on_hold')
  group by m.period, m.ticket_id
),
stays as (
  -- only the window's own tickets
  select p.period, p.pending_seconds, p.on_hold_seconds
  from per_ticket p
  join k on k.period = p.period and k.id = p.ticket_id
),
waits as (
  select s.period,
         count(s.pending_seconds) as pending_customer_n,
         avg(s.pending_seconds) / 3600.0 as pending_customer_hours,
         count(s.on_hold_seconds) as on_hold_n,
         avg(s.on_hold_seconds) / 3600.0 as on_hold_hours
  from stays s
  group by s.period
),
spans as (
  select k.period,
         count(k.first_response_at) as first_response_n,
         avg(date_part('epoch', k.first_response_at - k.created_at)) / 3600.0
           as first_response_hours,
         count(*) filter (where k.first_response_at is not null
                            and k.first_resolved_at >= k.first_response_at) as in_progress_n,
         avg(date_part('epoch', k.first_resolved_at - k.first_response_at))
           filter (where k.first_resolved_at >= k.first_response_at) / 3600.0
           as in_progress_hours,
         count(*) filter (where k.reopen_count > 0 and k.resolved_at is not null) as reopened_n,
         avg(date_part('epoch', k.resolved_at - k.first_resolved_at))
           filter (where k.reopen_count > 0 and k.resolved_at is not null) / 3600.0
           as reopened_hours
  from k
  group by k.period
)
select p.period, p.first_response_n, p.first_response_hours, p.in_progress_n,
       p.in_progress_hours, p.reopened_n, p.reopened_hours,
       coalesce(q.pending_customer_n, 0) as pending_customer_n, q.pending_customer_hours,
       coalesce(q.on_hold_n, 0) as on_hold_n, q.on_hold_hours
from spans p
left join waits q on q.period = p.period;
