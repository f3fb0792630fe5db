-- test support: a ticket of customer $1 created at $2 (a copy of their first ticket with its
-- times moved), with one customer message at $2 + 1 hour whose body is $3, in that month's
-- partition of interactions (made first: privacy_ensure_month_of); returns the ticket and
-- interaction ids. as the owner.
with src as (
  select t.*, $2::timestamptz - t.created_at as shift
  from public.support_tickets t
  where t.customer_id = $1
  order by t.id
  limit 1
),
t as (
  insert into public.support_tickets
    (subject, customer_id, channel, category_id, priority, status, team_id, assigned_agent_id,
     sla_policy_id, vip_tier, is_white_glove, created_at, updated_at, first_response_at,
     first_resolved_at, resolved_at, closed_at, first_response_due_at, resolution_due_at,
     reopen_count, agent_reply_count, customer_message_count, tags)
  select subject, customer_id, channel, category_id, priority, status, team_id, assigned_agent_id,
         sla_policy_id, vip_tier, is_white_glove, created_at + shift, updated_at + shift,
         first_response_at + shift, first_resolved_at + shift, resolved_at + shift,
         closed_at + shift, first_response_due_at + shift, resolution_due_at + shift,
         reopen_count, agent_reply_count, customer_message_count, tags
  from src
  returning id, channel, created_at
),
i as (
  insert into public.support_interactions (ticket_id, author_type, channel, created_at)
  select t.id, 'customer', t.channel, t.created_at + interval '1 hour' from t
  returning id, ticket_id
),
b as (
  insert into public.support_interaction_bodies (interaction_id, body)
  select i.id, $3 from i
  returning interaction_id
)
select i.ticket_id, b.interaction_id from i join b on b.interaction_id = i.id;
