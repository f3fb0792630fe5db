-- test support: monthly partitions of table $1 for months after $2 (name, and whether empty).
select c.relname::text as name
from pg_catalog.pg_inherits i
join pg_catalog.pg_class c on c.oid = i.inhrelid
where i.inhparent = ('public.' || $1::text)::pg_catalog.regclass
  and c.relname ~ '_p[0-9]{6}$'
  and pg_catalog.to_date(pg_catalog.right(c.relname, 6), 'YYYYMM') > $2::date
order by 1;
