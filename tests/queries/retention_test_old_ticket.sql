-- test support: a ticket two years old (a copy of the first one with its times moved back), the
-- home of an old interaction.
insert into public.support_tickets
  (subject, customer_id, channel, category_id, priority, status, team_id, assigned_agent_id,
   sla_policy_id, vip_tier, is_white_glove, created_at, updated_at, first_response_at,
   first_resolved_at, resolved_at, closed_at, first_response_due_at, resolution_due_at,
   reopen_count, agent_reply_count, customer_message_count, tags)
select subject, customer_id, channel, category_id, priority, status, team_id, assigned_agent_id,
       sla_policy_id, vip_tier, is_white_glove, created_at - interval '2 years',
       updated_at - interval '2 years', first_response_at - interval '2 years',
       first_resolved_at - interval '2 years', resolved_at - interval '2 years',
       closed_at - interval '2 years', first_response_due_at - interval '2 years',
       resolution_due_at - interval '2 years', reopen_count, agent_reply_count,
       customer_message_count, tags
from public.support_tickets
order by id
limit 1
returning id;
