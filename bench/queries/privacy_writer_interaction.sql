-- privacy benchmark, concurrent writer: an interaction now on ticket $1.
insert into public.support_interactions (ticket_id, author_type, channel, created_at)
select t.id, 'system', t.channel, pg_catalog.now() from public.support_tickets t where t.id = $1;
