-- test support: surveys of customers without survey consent (must be none).
select count(*) from public.support_feedback_surveys f
join public.customers c on c.id = f.customer_id
where not c.consent_surveys and c.erased_at is null;
