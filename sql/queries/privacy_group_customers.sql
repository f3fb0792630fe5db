-- distinct customers behind each group of a kpi source over a window (k-anonymity), under the
-- caller's row level security. $1 source, $2 from, $3 to, $4 grouping, $5 team, $6 agent.
select group_key, customers from app.group_customer_counts($1, $2, $3, $4, $5, $6);
