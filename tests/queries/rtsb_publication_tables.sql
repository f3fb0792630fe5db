-- supabase source tests: the tables of the supabase_realtime publication.
select schemaname || '.' || tablename as name
from pg_catalog.pg_publication_tables
where pubname = 'supabase_realtime'
order by 1;
