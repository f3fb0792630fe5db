-- test support: the $3-th customer (id order) with a given survey and analytics consent.
select c.id from public.customers c
where c.consent_surveys = $1 and c.consent_analytics = $2 and c.erased_at is null
order by c.id offset $3 limit 1;
