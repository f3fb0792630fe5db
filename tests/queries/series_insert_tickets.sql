-- test support (backlog series tests): tickets of the test customer with the given lifecycles,
-- written as the owner. $1 created_at[], $2 first_response_at[] (null: no reply), $3 resolved_at[]
-- (null: still open), $4 assigned agent ids[] (null: unassigned).
insert into public.support_tickets
  (subject, customer_id, channel, category_id, priority, status, team_id, assigned_agent_id,
   sla_policy_id, created_at, updated_at, first_response_at, resolved_at, first_resolved_at)
select 'backlog series test', '00000000-0000-0000-0000-0000000000d1', 'email', 1, 'normal',
       case when a.resolved_at is null then 'open' else 'solved' end,
       '00000000-0000-0000-0000-0000000000e1', a.agent_id, 1, a.created_at,
       coalesce(a.resolved_at, a.created_at), a.first_response_at, a.resolved_at, a.resolved_at
from unnest($1::timestamptz[], $2::timestamptz[], $3::timestamptz[], $4::uuid[])
  as a (created_at, first_response_at, resolved_at, agent_id);
