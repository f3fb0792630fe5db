-- test support (time tests): open tickets of the test customer at the given instants.
-- $1 created_at[], $2 first_response_at[] (null = no response yet), $3 assigned agent ids[].
insert into public.support_tickets
  (subject, customer_id, channel, category_id, priority, status, team_id, assigned_agent_id,
   sla_policy_id, created_at, updated_at, first_response_at)
select 'time test', '00000000-0000-0000-0000-0000000000d1', 'email', 1, 'normal', 'open',
       '00000000-0000-0000-0000-0000000000e1', a.agent_id, 1, a.created_at,
       coalesce(a.first_response_at, a.created_at), a.first_response_at
from unnest($1::timestamptz[], $2::timestamptz[], $3::uuid[]) as a (created_at, first_response_at, agent_id);
