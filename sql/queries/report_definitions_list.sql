-- report definitions the caller may read (rls: theirs and those shared with their role),
-- built-in reports first.
select d.id, d.slug, d.name, d.kind, d.spec, d.owner_id, d.shared_with, d.created_at
from public.report_definitions d
order by d.owner_id is not null, d.name, d.id;
