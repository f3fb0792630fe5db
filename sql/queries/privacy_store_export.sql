-- keep a subject-access archive for a while; the download token, its expiry and the checksum.
select token, expires_at, sha256 from app.store_export($1::uuid, $2::bytea, $3::integer);
