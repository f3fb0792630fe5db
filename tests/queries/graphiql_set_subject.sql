-- GraphiQL live test: change ticket $1's subject to $2 (as the owner; the change log triggers fire).
update public.support_tickets set subject = $2 where id = $1;
