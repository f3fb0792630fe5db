-- seeding: set the visibility map of the tables the kpi functions scan, as autovacuum would on a
-- live database, so their covering indexes answer with index-only scans. runs alone (vacuum
-- cannot run inside a transaction block).
vacuum (analyze) public.support_tickets, public.support_sla_compliance,
  public.support_feedback_surveys, public.support_ticket_status_history;
