-- test support: a ticket subject naming its customer (as a customer might write it).
update public.support_tickets
set subject = subject || ' (' || $2 || ', ' || $3 || ')'
where id = $1;
