-- retention: delete up to $2 change log rows older than $1.
select app.prune_change_log_batch($1::interval, $2);
