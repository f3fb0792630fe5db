-- test support: rows of the interactions' default partition.
select count(*) from partitions.support_interactions_default;
