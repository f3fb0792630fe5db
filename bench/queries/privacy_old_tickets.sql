-- privacy benchmark: 500 tickets created before $1 (the retention run anonymises them).
select pg_catalog.array_agg(id) from (
  select id from public.support_tickets where created_at < $1 order by pg_catalog.random() limit 500) s;
