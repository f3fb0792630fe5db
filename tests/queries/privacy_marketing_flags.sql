-- test support: whether each customer may appear in marketing outputs, read from the consent
-- flag and the erasure mark directly, as the owner.
select id, consent_marketing and erased_at is null as allowed from public.customers;
