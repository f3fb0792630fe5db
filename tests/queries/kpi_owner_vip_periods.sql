-- kpi tests: every vip tier period (and churn row) of every client.
select r.customer_id, r.vip_tier, r.effective_from, r.effective_to, r.change_reason
from public.support_vip_tracking r
order by r.id;
