-- realtime, once per websocket connection, under the subscriber's role and claims: the identity
-- row level security sees (application role, own agent row, team), resolved by the very helpers
-- the policies call.
select app.app_role() as app_role,
       app.current_agent_id() as agent_id,
       app.current_team_id() as team_id;
