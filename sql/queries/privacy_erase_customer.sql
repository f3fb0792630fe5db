-- erasure of one customer's personal data (one transaction, idempotent, audited).
select app.erase_customer($1::uuid, $2::text);
