-- archived months (detail detached to archive files) overlapping the window [$1, $2).
select a.table_name, a.month, a.rows, a.archived_at, a.sha256
from public.privacy_archives a
where a.month < $2::timestamptz and (a.month + interval '1 month') > $1::timestamptz
order by a.table_name, a.month;
