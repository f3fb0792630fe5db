-- the archive behind a download token, if it has not expired (audited).
select customer_id, archive, sha256 from app.take_export($1::text);
