-- store a new version of model type $1 (the next version number), returning it. runs as the
-- trainer's owner connection (writes are not open to api callers).
insert into public.support_insight_models
  (model_type, version, method, training_from, training_to, trained_as, n_train, n_test,
   metrics, parameters)
select $1::text,
       coalesce((select max(m.version) from public.support_insight_models m
                 where m.model_type = $1::text), 0) + 1,
       $2::text, $3::timestamptz, $4::timestamptz, $5::text, $6::integer, $7::integer,
       $8::jsonb, $9::jsonb
returning id, model_type, version, method, trained_at, training_from, training_to, trained_as,
          n_train, n_test, metrics, parameters;
