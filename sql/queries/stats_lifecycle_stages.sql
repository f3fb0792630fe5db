-- statistics rootCause bottlenecks: mean hours per lifecycle stage of the tickets created in a
-- window and in the comparison window, under the caller's row level security. stages:
-- waiting for the first response (created -> first public agent reply), in progress (first
-- reply -> first resolution), pending the customer and on hold (per ticket, the hours of its
-- completed stays in status pending / on_hold from public.support_ticket_status_history: a
-- stay lasts until the ticket's next status row), reopened (first resolution -> latest
-- resolution, reopened tickets). each stage's mean is over the tickets that went through it (n).
-- $1 from, $2 to, $3 comparison from, $4 comparison to, $5 team or null, $6 agent or null.
with w (period, lo, hi) as (
  values ('current', $1::timestamptz, $2::timestamptz),
         ('previous', $3::timestamptz, $4::timestamptz)
),
k as (
  select w.period, t.id, t.created_at, t.first_response_at, t.first_resolved_at, t.resolved_at,
         t.reopen_count
  from w
  join public.support_tickets t on t.created_at >= w.lo and t.created_at < w.hi
  where ($5::uuid is null or t.team_id = $5::uuid)
    and ($6::uuid is null or t.assigned_agent_id = $6::uuid)
),
stays as (
  -- one row per ticket: seconds pending the customer and on hold (null: never in that status)
  select k.period, x.pending_seconds, x.on_hold_seconds
  from k
  cross join lateral (
    select sum(extract(epoch from s.left_at - s.changed_at))
             filter (where s.to_status = 'pending') as pending_seconds,
           sum(extract(epoch from s.left_at - s.changed_at))
             filter (where s.to_status = 'on_hold') as on_hold_seconds
    from (
      select h.to_status, h.changed_at,
             lead(h.changed_at) over (order by h.changed_at, h.id) as left_at
      from public.support_ticket_status_history h
      where h.ticket_id = k.id
    ) s
    where s.left_at is not null
  ) x
),
waits as (
  select period,
         count(pending_seconds) as pending_customer_n,
         avg(pending_seconds) / 3600.0 as pending_customer_hours,
         count(on_hold_seconds) as on_hold_n,
         avg(on_hold_seconds) / 3600.0 as on_hold_hours
  from stays
  group by period
),
spans as (
  select k.period,
         count(k.first_response_at) as first_response_n,
         avg(extract(epoch from k.first_response_at - k.created_at)) / 3600.0
           as first_response_hours,
         count(*) filter (where k.first_response_at is not null
                            and k.first_resolved_at >= k.first_response_at) as in_progress_n,
         avg(extract(epoch from k.first_resolved_at - k.first_response_at))
           filter (where k.first_resolved_at >= k.first_response_at) / 3600.0
           as in_progress_hours,
         count(*) filter (where k.reopen_count > 0 and k.resolved_at is not null) as reopened_n,
         avg(extract(epoch from k.resolved_at - k.first_resolved_at))
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
