-- test support: an interaction two years old on the old ticket $1 (it lands in the default
-- partition), with a body.
with i as (
  insert into public.support_interactions (ticket_id, author_type, channel, created_at)
  select t.id, 'system', t.channel, t.created_at
  from public.support_tickets t where t.id = $1
  returning id)
insert into public.support_interaction_bodies (interaction_id, body) select id, 'old note' from i
returning interaction_id;
