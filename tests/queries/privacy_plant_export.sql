-- test support: a subject-access archive of customer $1 whose link expires $2 seconds from now
-- (negative: already expired), with a made-up token hash $3; its id. as the owner.
insert into public.privacy_exports (customer_id, created_at, expires_at, token_sha256, sha256, archive)
values ($1, now() - interval '1 hour', now() + make_interval(secs => $2), $3, 'test', '\x00'::bytea)
returning id;
