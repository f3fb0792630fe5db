-- realtime benchmark: one ticket change (the subject carries the change number).
update public.support_tickets set subject = $2 where id = $1;
