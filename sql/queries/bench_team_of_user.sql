-- benchmark support: the team a user leads ($1 as text), returned as `id`.
select ur.team_id as id from public.user_roles ur where ur.user_id = $1::uuid;
