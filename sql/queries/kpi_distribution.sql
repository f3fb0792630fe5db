-- tickets created in a window by channel, root category, priority and status (every value listed,
-- 0 when absent): jsonb rows of analytics.ticket_distribution.
-- $1 from, $2 to, $3 team (the ticket's) or null, $4 assigned agent or null.
select to_jsonb(s) as stats
from analytics.ticket_distribution($1, $2, $3, $4) s;
