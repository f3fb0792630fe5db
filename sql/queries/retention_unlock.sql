-- retention: release the run's advisory lock.
select pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('support-gateway retention'));
