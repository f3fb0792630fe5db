-- number of alerts visible to the caller matching the filters of alerts_page.sql ($1..$3).
select count(*)
from public.support_alerts a
where ($1::text[] is null or a.status = any($1::text[]))
  and ($2::text[] is null or a.severity = any($2::text[]))
  and ($3::text[] is null or a.alert_type = any($3::text[]));
