-- test support: tickets whose counters or first response disagree with their interactions.
with agg as (
  select
    i.ticket_id,
    count(*) filter (where i.author_type = 'agent' and i.is_public) as agent_replies,
    count(*) filter (where i.author_type = 'customer') as customer_messages,
    min(i.created_at) filter (where i.author_type = 'agent' and i.is_public) as first_reply,
    min(i.created_at) filter (where i.author_type = 'customer') as first_customer
  from public.support_interactions i
  group by i.ticket_id
)
select
  count(*) filter (where t.agent_reply_count <> coalesce(a.agent_replies, 0)) as reply_count,
  count(*) filter (where t.customer_message_count <> coalesce(a.customer_messages, 0)) as message_count,
  count(*) filter (where t.first_response_at is distinct from a.first_reply) as first_response,
  count(*) filter (where a.first_customer is distinct from t.created_at) as first_message,
  count(*) filter (where t.reopen_count > 0 and t.resolved_at is not null
                   and t.first_resolved_at >= t.resolved_at) as reopen_order
from public.support_tickets t
left join agg a on a.ticket_id = t.id;
