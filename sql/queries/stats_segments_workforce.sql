-- statistics rootCause: analytics.workforce_stats per segment of each grouping, in the window and in the
-- comparison window, in one statement (no overall rows: the segments add up to them).
-- $1 from, $2 to, $3 comparison from, $4 comparison to, $5 groupings (text[]),
-- $6 team (the ticket's) or null, $7 assigned agent or null.
select d.dim as dimension, 'current' as period, to_jsonb(s) as stats
from unnest($5::text[]) as d (dim)
cross join lateral analytics.workforce_stats($1, $2, d.dim, $6, $7) s
union all
select d.dim, 'previous', to_jsonb(s)
from unnest($5::text[]) as d (dim)
cross join lateral analytics.workforce_stats($3, $4, d.dim, $6, $7) s;
