-- test support: stored exports of a customer.
select count(*) from public.privacy_exports where customer_id = $1;
