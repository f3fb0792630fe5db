-- the backlog at one instant (open, unassigned, unanswered, age buckets), overall or per group:
-- jsonb rows of analytics.backlog_at.
-- $1 instant, $2 grouping or null, $3 team (the ticket's) or null, $4 assigned agent or null.
select to_jsonb(s) as stats
from analytics.backlog_at($1, $2, $3, $4) s;
