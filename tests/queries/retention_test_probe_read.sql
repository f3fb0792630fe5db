-- test support: a reader during the retention run: interactions of the first tickets.
select count(*) from public.support_interactions i
where i.ticket_id in (select t.id from public.support_tickets t order by t.id limit 20);
