-- retention: an archived month (table, month, rows, manifest path, manifest sha-256).
insert into public.privacy_archives (table_name, month, rows, file_path, sha256)
values ($1, $2, $3, $4, $5)
on conflict (table_name, month) do update
set rows = public.privacy_archives.rows + excluded.rows, file_path = excluded.file_path,
    sha256 = excluded.sha256, archived_at = pg_catalog.now();
