-- test support: tables of schema public (partitioned parents included, partitions not).
select c.relname::text as table_name from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
order by 1;
