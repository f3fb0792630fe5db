-- test support: a customer's name, email and phone, as the owner.
select full_name, email, phone from public.customer_contacts where customer_id = $1;
