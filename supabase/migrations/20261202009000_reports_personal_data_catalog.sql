-- the reports tables (migration 20261202005000) in the privacy catalog of text columns
-- (app.personal_data_catalog, migration 20261202006100): none holds a customer's personal data.
-- (numbered after the privacy migrations because it writes to their catalog; the reports range
-- 20261202005000..5900 sorts before them.)
insert into app.personal_data_catalog (table_name, column_name, data_class, on_erasure, note) values
  ('report_definitions', 'name', 'staff', 'keep', 'a report''s title, written by staff'),
  ('report_definitions', 'slug', 'operational', 'keep', 'key of a built-in report'),
  ('report_definitions', 'spec', 'operational', 'keep', 'kpis, sections and scope of a custom report (ids, no customer data)'),
  ('report_schedules', 'cron', 'operational', 'keep', 'when a schedule fires'),
  ('report_schedules', 'timezone', 'operational', 'keep', 'the schedule''s time zone'),
  ('report_schedules', 'recipients', 'staff', 'keep', 'staff e-mail addresses receiving the report'),
  ('report_schedules', 'webhook_url', 'operational', 'keep', 'where the report is posted'),
  ('report_deliveries', 'delivered_to', 'staff', 'keep', 'channels already delivered (staff addresses, webhook)'),
  ('report_deliveries', 'errors', 'operational', 'keep', 'delivery failures (smtp or http errors)'),
  ('report_deliveries', 'last_error', 'operational', 'keep', 'the latest delivery failure'),
  ('report_deliveries', 'lease_owner', 'operational', 'keep', 'the gateway process delivering a run');
