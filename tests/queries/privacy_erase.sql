-- test support: the erasure function called directly.
select app.erase_customer($1::uuid, $2::text);
