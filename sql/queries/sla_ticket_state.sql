-- live sla state of the first response and resolution targets of a batch of tickets (dataloader
-- batch), as of the instant $2 (null = now(), the transaction's start).
-- $1: ticket ids. tickets the caller cannot see (row level security) or without an sla policy
-- give no rows.
-- the target of each type comes from the ticket's sla_compliance row when there is one (the
-- policy and minutes that applied when the ticket was opened), else from the ticket's current
-- policy. due_at = analytics.add_business_minutes(policy calendar, created_at, minutes): business
-- time through the policy's calendar, calendar time when the policy has none.
-- "as of" $2: a first response (first_response_at) or resolution (resolved_at, the latest one;
-- null while a reopened ticket is open) after $2 has not happened yet; an instant before the
-- ticket's creation is read as its creation.
--   state: achieved (met at or before due_at), breached (met after due_at, or not met and $2 is
--   past due_at: breached now), pending (not met, not yet due).
--   business_minutes_remaining: business minutes from $2 to due_at, negative past due; null once
--   the target is met (the clock has stopped) or when there is no due time.
--   business_minutes_elapsed: business minutes from created_at to the target's achievement,
--   or to $2 while it is open.
with as_of as (
  select coalesce($2::timestamptz, now()) as at_time
),
targets as (
  select t.id as ticket_id,
         x.target_type,
         t.created_at,
         greatest(a.at_time, t.created_at) as at_time,
         case when x.met_at <= a.at_time then x.met_at end as achieved_at,
         p.id as policy_id,
         p.calendar_id,
         coalesce(
           c.target_minutes,
           case x.target_type
             when 'first_response' then p.first_response_minutes
             else p.resolution_minutes
           end) as target_minutes
  from public.support_tickets t
  cross join as_of a
  cross join lateral (
    values ('first_response', t.first_response_at), ('resolution', t.resolved_at)
  ) as x (target_type, met_at)
  left join public.support_sla_compliance c
    on c.ticket_id = t.id and c.target_type = x.target_type
  join public.support_sla_policies p
    on p.id = coalesce(c.sla_policy_id, t.sla_policy_id)
  where t.id = any($1::bigint[])
),
-- materialized: each due time is computed once, not once per reference below.
due as materialized (
  select tg.*,
         analytics.add_business_minutes(tg.calendar_id, tg.created_at, tg.target_minutes) as due_at
  from targets tg
)
select d.ticket_id,
       d.target_type,
       d.policy_id,
       d.calendar_id,
       d.target_minutes,
       d.due_at,
       d.achieved_at,
       case
         when d.achieved_at is not null and (d.due_at is null or d.achieved_at <= d.due_at)
           then 'achieved'
         when d.achieved_at is not null then 'breached'
         when d.due_at is not null and d.at_time > d.due_at then 'breached'
         else 'pending'
       end as state,
       case
         when d.achieved_at is not null or d.due_at is null then null
         when d.at_time <= d.due_at
           then analytics.business_minutes(d.calendar_id, d.at_time, d.due_at)
         else -analytics.business_minutes(d.calendar_id, d.due_at, d.at_time)
       end as business_minutes_remaining,
       analytics.business_minutes(d.calendar_id, d.created_at, coalesce(d.achieved_at, d.at_time))
         as business_minutes_elapsed
from due d
order by d.ticket_id, d.target_type;
