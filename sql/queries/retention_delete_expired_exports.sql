-- retention: delete up to $1 subject-access archives whose download link expired.
select app.delete_expired_exports($1);
