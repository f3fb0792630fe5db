-- retention: delete up to $2 statistics version notes older than $1 (never the newest).
select app.prune_stats_source_changes_batch($1::interval, $2);
