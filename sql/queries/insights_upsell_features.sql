-- the vip features of insights_vip_features ($1 as of, $2 lookback days, $3 horizon days, $4
-- ids or null) of the clients marketing-type outputs may include (consent_marketing, not
-- erased: app.marketing_allowed): what upsell candidates are chosen from, under the caller's
-- rights.
select f.*
from analytics.insight_vip_features($1::timestamptz, $2::integer, $3::integer, $4::uuid[]) f
where f.marketing_allowed;
