-- retention: drop a detached partition once its archive is written.
drop table partitions.{part};
