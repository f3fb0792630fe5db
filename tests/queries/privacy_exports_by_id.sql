-- test support: which of the subject-access archives $1 are still stored, as the owner.
select id from public.privacy_exports where id = any ($1::uuid[]) order by id;
