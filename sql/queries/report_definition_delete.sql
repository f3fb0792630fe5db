-- delete the caller's own custom report $1 (rls: only the owner's rows are visible to delete).
delete from public.report_definitions d where d.id = $1::uuid returning d.id;
