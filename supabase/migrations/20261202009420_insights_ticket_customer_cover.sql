-- insights (issue 11): a client's tickets of a window by an index-only range scan. the vip churn
-- features (analytics.insight_vip_features) read, per client, its tickets of the lookback: the
-- (customer_id, created_at) index now carries what they need and what row level security reads
-- (team and agent), so no heap visit per ticket. same key columns as before: every query that used
-- support_tickets_customer_id_idx uses this one.
create index support_tickets_customer_created_cover_idx
  on public.support_tickets (customer_id, created_at)
  include (reopen_count, is_white_glove, first_response_at, first_response_due_at, resolved_at,
           resolution_due_at, team_id, assigned_agent_id);
drop index public.support_tickets_customer_id_idx;
