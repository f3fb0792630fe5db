-- test support: every user with an application role, in email order.
select ur.app_role, ur.user_id, u.email
from public.user_roles ur
join auth.users u on u.id = ur.user_id
order by ur.app_role, u.email;
