-- a customer's ticket ids, identifiers and every retention archive manifest (app.archive_subject).
select app.archive_subject($1::uuid);
