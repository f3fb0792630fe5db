-- statistics (issue 10): the status-history index keyed (ticket_id, changed_at, id), so the stays
-- of rootCause's lifecycle bottlenecks (sql/queries/stats_lifecycle_stages.sql) are one index
-- range scan per window whose rows arrive in the order of the stays' window function (a ticket's
-- rows in time order, ties by id): no sort, and index-only with the status and the policy's
-- columns included. replaces the (ticket_id, changed_at) index of 20261203001000.
create index if not exists support_ticket_status_history_stays_idx
  on public.support_ticket_status_history (ticket_id, changed_at, id)
  include (to_status, ticket_team_id, ticket_agent_id);
drop index if exists public.support_ticket_status_history_ticket_idx;
