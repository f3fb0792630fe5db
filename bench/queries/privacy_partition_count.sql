-- privacy benchmark: how many partitions public.support_interactions has (default included).
select pg_catalog.count(*)::int from pg_catalog.pg_inherits i
where i.inhparent = 'public.support_interactions'::pg_catalog.regclass;
