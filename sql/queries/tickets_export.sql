-- every ticket visible to the caller that matches the filters ($1..$12, see tickets_count.sql),
-- oldest first, for a streamed export (read through a server-side cursor). customer name and
-- email come from customer_contacts, which rls withholds from analysts (null for them).
with recursive wanted_categories as (
  select c.id from public.support_categories c where c.id = any($4::int[])
  union
  select c.id
  from public.support_categories c
  join wanted_categories w on c.parent_id = w.id
)
select t.id, t.subject, t.status, t.priority, t.channel, t.vip_tier, t.is_white_glove,
  t.category_id, t.team_id, t.assigned_agent_id, t.customer_id, cc.full_name as customer_name,
  cc.email as customer_email, t.created_at, t.first_response_at, t.resolved_at, t.closed_at,
  t.reopen_count, t.agent_reply_count, t.customer_message_count,
  array_to_string(t.tags, ' ') as tags
from public.support_tickets t
left join public.customer_contacts cc on cc.customer_id = t.customer_id
where ($1::text[] is null or t.status = any($1::text[]))
  and ($2::text[] is null or t.priority = any($2::text[]))
  and ($3::text[] is null or t.channel = any($3::text[]))
  and ($4::int[] is null or t.category_id in (select w.id from wanted_categories w))
  and ($5::uuid[] is null or t.assigned_agent_id = any($5::uuid[]))
  and ($6::uuid[] is null or t.team_id = any($6::uuid[]))
  and ($7::text[] is null or t.vip_tier = any($7::text[]))
  and ($8::uuid[] is null or t.customer_id = any($8::uuid[]))
  and ($9::timestamptz is null or t.created_at >= $9::timestamptz)
  and ($10::timestamptz is null or t.created_at < $10::timestamptz)
  and ($11::timestamptz is null or t.resolved_at >= $11::timestamptz)
  and ($12::timestamptz is null or t.resolved_at < $12::timestamptz)
order by t.created_at, t.id;
