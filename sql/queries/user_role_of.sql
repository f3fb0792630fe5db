-- operator tool (cli `token --user`): the application role and email of user $1.
select ur.app_role, u.email
from auth.users u
left join public.user_roles ur on ur.user_id = u.id
where u.id = $1::uuid;
