-- test support: the archived months.
select table_name, month, rows, file_path, sha256 from public.privacy_archives order by 1, 2;
