-- realtime benchmark: $1 new agent users, each with an agent row in a team (round-robin over the
-- teams in id order) and the agent role. returns their user id, agent id and team.
with teams as (
  select array_agg(t.id order by t.id) as ids from public.teams t
),
users as (
  insert into auth.users (id, email)
  select gen_random_uuid(), format('bench-agent-%s@bench.test', g)
  from generate_series(1, $1::int) as g
  returning id, email
),
numbered as (
  select u.id, u.email, row_number() over (order by u.email) - 1 as i from users u
),
agents as (
  insert into public.agents (user_id, team_id, display_name, email, skill_level, hired_on)
  select n.id, tm.ids[1 + n.i % cardinality(tm.ids)], 'Bench ' || n.email, n.email, 3,
         date '2025-01-01'
  from numbered n, teams tm
  returning id, user_id, team_id
),
roles as (
  insert into public.user_roles (user_id, app_role)
  select a.user_id, 'agent' from agents a
  returning user_id
)
select a.user_id, a.id as agent_id, a.team_id from agents a order by a.user_id;
