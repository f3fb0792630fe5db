-- privacy benchmark, concurrent reader: a simple query (interactions of ticket $1).
select pg_catalog.count(*) from public.support_interactions where ticket_id = $1;
