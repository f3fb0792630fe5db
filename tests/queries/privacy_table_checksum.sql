-- test support: a checksum of a whole table's content (order-independent).
select coalesce(md5(string_agg(md5(t::text), '' order by md5(t::text))), '') from "{schema}"."{table}" t;
