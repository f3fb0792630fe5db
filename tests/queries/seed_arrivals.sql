-- test support: ticket creation instants.
select t.created_at from public.support_tickets t order by t.id;
