-- test support: the customer's tickets, oldest first.
select id from public.support_tickets where customer_id = $1 order by created_at, id;
