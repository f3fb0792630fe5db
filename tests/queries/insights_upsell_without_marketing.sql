-- test support (insights consent): active vip clients (as the database owner, every row) that
-- meet the upsell rule's support conditions (below diamond, mean csat >= 4.5 over 2+ ratings,
-- 2+ tickets, no sla breach) but may not be named in marketing outputs: those the rule must
-- leave out for consent alone.
select count(*) as n
from analytics.insight_vip_features(now(), 90, 90, null) f
join public.customers c on c.id = f.customer_id
where f.vip_tier <> 'diamond' and f.csat_n >= 2 and f.csat_mean >= 4.5 and f.tickets >= 2
  and f.sla_breaches = 0
  and not (c.consent_marketing and c.erased_at is null);
