-- test support (insights accuracy): tickets created in [$1, $2), as the database owner.
select count(*) from public.support_tickets t where t.created_at >= $1 and t.created_at < $2;
