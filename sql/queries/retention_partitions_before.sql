-- retention: monthly partitions of table $1 whose month ended before $2.
select partition_name, month from app.partitions_before($1, $2);
