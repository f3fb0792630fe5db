-- privacy benchmark: the ids of the 50 newest tickets (the first page of a ticket list).
select pg_catalog.array_agg(id) from (
  select id from public.support_tickets order by created_at desc, id desc limit 50) s;
