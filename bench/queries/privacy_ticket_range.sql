-- privacy benchmark: the range of ticket ids (samples are drawn from it).
select pg_catalog.min(id) as lo, pg_catalog.max(id) as hi from public.support_tickets;
