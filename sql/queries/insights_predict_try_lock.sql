-- insights predict schedule: one run at a time across gateway processes and hosts
-- (transaction-scoped advisory lock, released at commit or rollback; false when another
-- process holds it).
select pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('support-gateway insights predict')) as locked;
