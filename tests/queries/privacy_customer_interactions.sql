-- test support: ids of the interactions on the customer's tickets.
select i.id from public.support_interactions i
join public.support_tickets t on t.id = i.ticket_id
where t.customer_id = $1 order by i.id;
