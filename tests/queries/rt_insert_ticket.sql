-- realtime tests: a new open ticket like ticket $1 but for team $2 and agent $3, subject $4,
-- created now; its first reply due $5 (null: none).
insert into public.support_tickets
  (subject, customer_id, channel, category_id, priority, status, team_id, assigned_agent_id,
   sla_policy_id, vip_tier, is_white_glove, created_at, updated_at, first_response_due_at,
   resolution_due_at)
select $4, t.customer_id, t.channel, t.category_id, 'normal', 'new', $2, $3, t.sla_policy_id,
       t.vip_tier, t.is_white_glove, now() - interval '1 hour', now(), $5::timestamptz,
       now() + interval '2 days'
from public.support_tickets t
where t.id = $1
returning id;
