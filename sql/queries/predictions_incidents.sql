-- injected ground-truth incidents overlapping the window [$1, $2) (a null end is open),
-- earliest first (ties by id).
select i.id, i.kind, i.starts_at, i.ends_at, i.scope, i.magnitude, i.description
from public.support_incidents i
where ($2::timestamptz is null or i.starts_at < $2::timestamptz)
  and ($1::timestamptz is null or i.ends_at > $1::timestamptz)
order by i.starts_at, i.id;
