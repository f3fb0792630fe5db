-- supabase source tests: the publication supabase creates for realtime (before migrating).
create publication supabase_realtime;
