-- every row level security policy with its expressions as postgres prints them.
select schemaname, tablename, policyname, qual, with_check
from pg_catalog.pg_policies
order by 1, 2, 3;
