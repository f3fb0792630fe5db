-- test support (time tests): analytics.add_business_minutes of calendar $1 for many
-- (start, minutes) pairs ($2 starts[], $3 minutes[]), with business_minutes(start, due) back.
select d.due_at, analytics.business_minutes($1::integer, s.start_at, d.due_at) as minutes_back
from unnest($2::timestamptz[], $3::numeric[]) with ordinality as s (start_at, minutes, ord)
cross join lateral (
  select analytics.add_business_minutes($1::integer, s.start_at, s.minutes) as due_at
) as d
order by s.ord;
