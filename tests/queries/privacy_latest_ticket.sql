-- test support: the newest ticket that has interactions, with its month.
select t.id, t.created_at from public.support_tickets t
where exists (select 1 from public.support_interactions i where i.ticket_id = t.id)
order by t.created_at desc limit 1;
