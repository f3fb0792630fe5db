-- test support (insights role matrix): active vip clients at now() (the churn scoring's
-- population, read as the database owner: every row).
select f.customer_id
from analytics.insight_vip_features(now(), 90, 90, null) f;
