-- retention: anonymise up to $2 tickets created before $1.
select app.retention_anonymise_tickets($1, $2);
