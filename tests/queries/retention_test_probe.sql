-- test support: a writer during the retention run: one interaction now, on the first ticket.
insert into public.support_interactions (ticket_id, author_type, channel, created_at)
select t.id, 'system', t.channel, now() from public.support_tickets t order by t.id limit 1;
