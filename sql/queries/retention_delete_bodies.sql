-- retention: delete up to $2 message bodies of interactions created before $1.
select app.retention_delete_bodies($1, $2);
