-- test support (time tests): analytics.business_minutes of calendar $1 (null = calendar time)
-- for many spans at once: $2 starts[], $3 ends[], in the given order.
select analytics.business_minutes($1::integer, s.start_at, s.end_at) as minutes
from unnest($2::timestamptz[], $3::timestamptz[]) with ordinality as s (start_at, end_at, ord)
order by s.ord;
