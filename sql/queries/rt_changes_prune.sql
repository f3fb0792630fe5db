-- realtime hub, every few minutes: delete change rows older than $1 (retention); returns the count.
select app.prune_change_log($1::interval) as pruned;
