-- series tests (as the owner, a superuser): count the calls of user functions for the rest of
-- the transaction, so a statement can show which analytics functions ran as functions (an
-- inlined sql function is never called).
select set_config('track_functions', 'all', true);
