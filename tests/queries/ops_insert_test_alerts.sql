-- test fixture: $1 alerts (dedup keys 'test-ops:<n>') spread over every type, severity and
-- status, the seeded teams, agents that have a user, and some tickets, with ties on raised_at
-- (three alerts per instant) so the (raised_at, id) keyset order matters. as the owner.
with staff as (
  select (select array_agg(a.id order by a.id) from public.agents a
          where a.user_id is not null) as agent_ids,
         (select array_agg(t.id order by t.id) from public.teams t) as team_ids,
         (select array_agg(x.id) from (select k.id from public.support_tickets k
                                        order by k.id limit 50) x) as ticket_ids
)
insert into public.support_alerts (alert_type, severity, status, dedup_key, title, message,
  team_id, agent_id, ticket_id, details, raised_at, acknowledged_at, resolved_at)
select (array['sla_breach', 'performance_deviation', 'satisfaction_drop', 'volume_spike',
              'system_error'])[1 + i % 5],
       (array['info', 'warning', 'critical'])[1 + i % 3],
       (array['open', 'acknowledged', 'resolved'])[1 + i % 4 % 3],
       'test-ops:' || i, 'test alert ' || i, 'raised by the operations tests',
       case when i % 3 <> 2 then s.team_ids[1 + i % cardinality(s.team_ids)] end,
       case when i % 4 <> 3 then s.agent_ids[1 + (i * 7) % cardinality(s.agent_ids)] end,
       case when i % 5 = 0 then s.ticket_ids[1 + i % cardinality(s.ticket_ids)] end,
       jsonb_build_object('metric', 'frt', 'value', i,
                          'nested', jsonb_build_object('odd', i % 2 = 1)),
       $2::timestamptz - (i / 3) * interval '1 hour 7 minutes 3.123456 seconds',
       case when i % 4 % 3 > 0 then $2::timestamptz end,
       case when i % 4 % 3 = 2 then $2::timestamptz end
from generate_series(1, $1::int) as i, staff s;
