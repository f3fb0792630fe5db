-- test support (time tests): the buckets analytics.series_buckets generates for
-- ($1 from, $2 to, $3 granularity, $4 time zone).
select b.bucket_no, b.bucket_start, b.bucket_end, b.local_start
from analytics.series_buckets($1::timestamptz, $2::timestamptz, $3::text, $4::text) as b
order by b.bucket_no;
