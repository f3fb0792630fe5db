-- test support: act as a postgres role with jwt claims for the rest of the transaction.
select pg_catalog.set_config('role', $1, true), pg_catalog.set_config('request.jwt.claims', $2, true);
