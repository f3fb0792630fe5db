-- vip clients active at $1 (all, or the ids $4 when not null) with support features over the
-- $2 days before it and whether they churned within $3 days after, under the caller's rights.
select f.*
from analytics.insight_vip_features($1::timestamptz, $2::integer, $3::integer, $4::uuid[]) f;
