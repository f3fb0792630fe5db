-- test support (insights): stored model versions in all.
select count(*) from public.support_insight_models;
