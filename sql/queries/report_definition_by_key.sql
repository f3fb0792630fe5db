-- one report definition the caller may read, by id ($1) or slug ($2).
select d.id, d.slug, d.name, d.kind, d.spec, d.owner_id, d.shared_with, d.created_at
from public.report_definitions d
where d.id = $1::uuid or d.slug = $2::text
limit 1;
