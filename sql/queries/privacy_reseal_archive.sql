-- the new manifest checksum $3 and row count $4 of archive $2, rewritten by the erasure of $1.
select app.reseal_archive($1::uuid, $2::text, $3::text, $4::bigint);
