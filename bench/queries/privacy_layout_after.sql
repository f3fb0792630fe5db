-- privacy benchmark: the partition layout after migration 20261203003100 (empty months beyond
-- the next one dropped); returns how many partitions were dropped.
select pg_catalog.sum(app.drop_empty_partitions_after(
         t, (pg_catalog.date_trunc('month', pg_catalog.now()) + interval '1 month')::date))::int
from pg_catalog.unnest(array['support_interactions', 'support_change_log']) t;
