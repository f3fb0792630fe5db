-- test support (insights accuracy): the first 300 vip clients who may be profiled, by id, and
-- whether a churned period of theirs starts in [$1, $2), as the database owner.
select c.id,
       exists (select 1 from public.support_vip_tracking v
               where v.customer_id = c.id and v.change_reason = 'churned'
                 and v.effective_from >= $1 and v.effective_from < $2) as churned
from public.customers c
where c.vip_tier is not null and c.consent_analytics
order by c.id
limit 300;
