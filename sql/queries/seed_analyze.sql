-- seeding: refresh planner statistics after the bulk load.
analyze auth.users, public.teams, public.agents, public.user_roles, public.customers,
  public.customer_contacts, public.support_categories, public.support_business_calendars,
  public.support_calendar_holidays, public.support_sla_policies, public.support_tickets,
  public.support_interactions, public.support_interaction_bodies,
  public.support_ticket_status_history, public.support_sla_compliance,
  public.support_feedback_surveys, public.support_qa_evaluations, public.support_training_records,
  public.support_agents_metrics, public.support_queue_metrics, public.support_automation_analytics,
  public.support_financial_metrics, public.support_vip_tracking, public.support_incidents;
