-- test support: the archive of table $1 for month $2 (manifest path, sha-256, rows), as the owner.
select file_path, sha256, rows from public.privacy_archives where table_name = $1 and month = $2;
