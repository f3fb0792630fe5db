-- test fixture teardown: remove the predictions inserted by ops_insert_test_predictions.sql.
delete from public.support_predictions where model = 'test-ops';
