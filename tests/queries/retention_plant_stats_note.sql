-- tests: a statistics version note dated $1 ago (as the trigger writes it, but back-dated).
insert into analytics.stats_source_changes (table_name, changed_at)
values ('support_feedback_surveys', now() - $1::interval)
returning seq;
