-- retention: the rows of a detached partition, for its archive file.
select * from partitions.{part} order by 1;
