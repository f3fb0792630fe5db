-- kpi tests: every daily agent metrics row.
select m.agent_id, m.metric_date, m.scheduled_seconds, m.logged_in_seconds, m.handle_seconds,
       m.available_seconds, m.in_adherence_seconds, m.talk_seconds, m.hold_seconds,
       m.after_contact_seconds, m.contacts_handled, m.tickets_solved
from public.support_agents_metrics m
order by m.id;
