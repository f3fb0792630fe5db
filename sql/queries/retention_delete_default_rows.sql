-- retention: delete up to $3 rows of table $1's default partition created before $2.
select app.retention_delete_default_rows($1, $2, $3);
