-- test support: deletes the subject-access archives $1 (clean-up), as the owner.
delete from public.privacy_exports where id = any ($1::uuid[]);
