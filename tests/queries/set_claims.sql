-- set the request claims for the rest of the transaction (as the gateway's session does).
select set_config('request.jwt.claims', $1, true);
