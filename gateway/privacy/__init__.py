"""Privacy and data governance in the gateway: the buffered audit writer, the signed download of
subject-access exports, and the retention scheduler (the rules themselves are database functions,
``supabase/migrations/202612020060*``)."""
