-- privacy benchmark: the partition layout before migration 20261203003100 (months created three
-- ahead); returns how many partitions were created.
select pg_catalog.sum(app.ensure_monthly_partitions(t, pg_catalog.now()::date,
                                                    (pg_catalog.now() + interval '3 months')::date))::int
from pg_catalog.unnest(array['support_interactions', 'support_change_log']) t;
