-- operator tool (cli `token`): the first seeded user with application role $1, by email.
select u.id, u.email
from public.user_roles ur
join auth.users u on u.id = ur.user_id
where ur.app_role = $1
order by u.email
limit 1;
