-- serialise concurrent migrate runs (transaction-scoped advisory lock).
select pg_catalog.pg_advisory_xact_lock(7262513001);
