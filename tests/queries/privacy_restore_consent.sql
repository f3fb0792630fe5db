-- test support: sets a customer's profiling consent back (test clean-up), as the owner.
update public.customers set consent_analytics = $2 where id = $1;
