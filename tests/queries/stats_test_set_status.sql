-- statistics tests: set ticket $1's status to $2 (inside a rolled-back transaction).
update public.support_tickets set status = $2 where id = $1;
