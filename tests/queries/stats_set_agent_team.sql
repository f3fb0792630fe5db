-- statistics cache test: move agent $1 to team $2 (as the owner); returns the old team.
update public.agents a set team_id = $2
from public.agents old
where a.id = $1 and old.id = a.id
returning old.team_id;
