-- test support (insights consent): every customer's consent flags as the database owner (no
-- row level security): whether models may profile them (analytics consent, not erased) and
-- whether marketing outputs may name them (marketing consent, not erased).
select c.id,
       c.vip_tier,
       (c.consent_analytics and c.erased_at is null) as profiling,
       (c.consent_marketing and c.erased_at is null) as marketing
from public.customers c;
