-- statistics rootCause: analytics.ticket_stats per segment of one grouping in the window and in
-- the comparison window (no overall rows: the segments add up to them).
-- $1 from, $2 to, $3 comparison from, $4 comparison to, $5 grouping,
-- $6 team (the ticket's) or null, $7 assigned agent or null.
select 'current' as period, to_jsonb(s) as stats
from analytics.ticket_stats($1, $2, $5, $6, $7) s
union all
select 'previous', to_jsonb(s)
from analytics.ticket_stats($3, $4, $5, $6, $7) s;
