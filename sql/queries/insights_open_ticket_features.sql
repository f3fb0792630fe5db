-- open tickets before $1 (all, or the ids $2 when not null) with the factors known while open,
-- under the caller's rights; clients who may not be profiled are left out.
select f.*
from analytics.insight_open_ticket_features($1::timestamptz, $2::bigint[]) f;
