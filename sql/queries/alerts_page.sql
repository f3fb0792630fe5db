-- one page of alerts visible to the caller, newest first, keyset-paginated on (raised_at, id).
-- filters (null = any): $1 statuses, $2 severities, $3 alert types. $4/$5: the cursor's
-- raised_at (as text) and id (null = first page); $6: rows to fetch (page size + 1).
select a.*, a.raised_at as sort_key
from public.support_alerts a
where ($1::text[] is null or a.status = any($1::text[]))
  and ($2::text[] is null or a.severity = any($2::text[]))
  and ($3::text[] is null or a.alert_type = any($3::text[]))
  and ($5::bigint is null or (a.raised_at, a.id) < ($4::text::timestamptz, $5::bigint))
order by a.raised_at desc, a.id desc
limit $6;
