-- statistics cache test: move a user's role to team $2 (as the owner); returns the old team.
update public.user_roles ur set team_id = $2
from public.user_roles old
where ur.user_id = $1 and old.user_id = ur.user_id
returning old.team_id;
