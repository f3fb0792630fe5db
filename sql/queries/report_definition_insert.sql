-- a custom report owned by the caller (rls checks owner and role): name $1, spec $2, roles $3.
insert into public.report_definitions (name, kind, spec, owner_id, shared_with)
values ($1::text, 'custom', $2::jsonb, auth.uid(), $3::text[])
returning id, slug, name, kind, spec, owner_id, shared_with, created_at;
