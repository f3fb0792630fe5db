-- how many migrations the ledger records.
select count(*) from supabase_migrations.schema_migrations;
