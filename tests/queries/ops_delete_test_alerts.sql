-- test fixture teardown: remove the alerts inserted by ops_insert_test_alerts.sql.
delete from public.support_alerts where dedup_key like 'test-ops:%';
