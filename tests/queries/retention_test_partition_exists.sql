-- test support: whether a partition table exists.
select to_regclass('partitions.' || $1) is not null;
