-- realtime benchmark: $1 new users with application role $2 (team leads: of a team, round-robin
-- over the teams in id order). returns their user id and team.
with teams as (
  select array_agg(t.id order by t.id) as ids from public.teams t
),
users as (
  insert into auth.users (id, email)
  select gen_random_uuid(), format('bench-%s-%s@bench.test', $2::text, g)
  from generate_series(1, $1::int) as g
  returning id, email
),
numbered as (
  select u.id, row_number() over (order by u.email) - 1 as i from users u
),
roles as (
  insert into public.user_roles (user_id, app_role, team_id)
  select n.id, $2::text,
         case when $2::text = 'team_lead' then tm.ids[1 + n.i % cardinality(tm.ids)] end
  from numbered n, teams tm
  returning user_id, team_id
)
select r.user_id, r.team_id from roles r order by r.user_id;
