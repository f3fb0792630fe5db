-- one page of tickets visible to the caller, keyset-paginated on ({order_key}, id).
-- filters: $1..$12 (TicketSelection.params in resolvers/tickets.py). $13/$14: the cursor's key
-- and id (null = first page); $15: rows to fetch (page size + 1, to know whether another page
-- follows).
-- {order_key}, {cmp} and {dir} are filled from a closed set by the gateway, {columns} with t.* or
-- the columns the requested fields read (resolvers/tickets.py TICKET_FIELD_COLUMNS).
with recursive wanted_categories as (
  select c.id from public.support_categories c where c.id = any($4::int[])
  union
  select c.id
  from public.support_categories c
  join wanted_categories w on c.parent_id = w.id
)
select {columns}, {order_key} as sort_key
from public.support_tickets t
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
  and ($14::bigint is null or ({order_key}, t.id) {cmp} ($13::text::timestamptz, $14::bigint))
order by {order_key} {dir}, t.id {dir}
limit $15;
