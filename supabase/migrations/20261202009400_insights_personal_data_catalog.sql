-- the insights columns (migration 20261202004000) in the privacy catalog of text columns
-- (app.personal_data_catalog, migration 20261202006100): none holds a customer's personal data.
-- (numbered after the privacy migrations because it writes to their catalog; the insights range
-- 20261202004000..4900 sorts before them.)
insert into app.personal_data_catalog (table_name, column_name, data_class, on_erasure, note) values
  ('support_insight_models', 'method', 'operational', 'keep', 'the model family and calibration method'),
  ('support_insight_models', 'trained_as', 'operational', 'keep', 'whose rights the training data was read with (a role, not a person)'),
  ('support_insight_models', 'metrics', 'operational', 'keep', 'held-out auc, brier score and calibration table (aggregates)'),
  ('support_insight_models', 'parameters', 'operational', 'keep', 'feature names, standardisation and coefficients (no client data)'),
  ('support_predictions', 'model_version', 'operational', 'keep', 'version of the model behind a prediction');
