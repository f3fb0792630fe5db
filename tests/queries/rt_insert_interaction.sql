-- realtime tests: a customer message on ticket $1, now.
insert into public.support_interactions (ticket_id, author_type, channel, is_public, created_at)
select t.id, 'customer', t.channel, true, now() from public.support_tickets t where t.id = $1
returning id;
