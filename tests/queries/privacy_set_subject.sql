-- test support: set a ticket's subject (the change log records the update).
update public.support_tickets set subject = $2 where id = $1;
