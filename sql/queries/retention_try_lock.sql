-- retention: one run at a time across gateway processes (session advisory lock).
select pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext('support-gateway retention'));
