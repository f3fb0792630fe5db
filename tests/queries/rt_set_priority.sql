-- realtime tests: change ticket $1's priority to $2.
update public.support_tickets set priority = $2 where id = $1;
