-- alerting: open sla breaches at $1 whose due time is at or after $2 (older ones are history):
-- a first reply still missing after first_response_due_at, a resolution still missing after
-- resolution_due_at. as the gateway (all teams).
select t.id as ticket_id, t.team_id, t.assigned_agent_id as agent_id, t.priority, t.vip_tier,
       'first_response' as target, t.first_response_due_at as due_at,
       pg_catalog.date_part('epoch', $1::timestamptz - t.first_response_due_at) / 60.0
         as minutes_late
from public.support_tickets t
where t.resolved_at is null
  and t.first_response_at is null
  and t.first_response_due_at < $1::timestamptz
  and t.first_response_due_at >= $2::timestamptz
union all
select t.id, t.team_id, t.assigned_agent_id, t.priority, t.vip_tier,
       'resolution', t.resolution_due_at,
       pg_catalog.date_part('epoch', $1::timestamptz - t.resolution_due_at) / 60.0
from public.support_tickets t
where t.resolved_at is null
  and t.resolution_due_at < $1::timestamptz
  and t.resolution_due_at >= $2::timestamptz
order by ticket_id, target;
