-- statistics cache: the data version (analytics.data_version(): moves on every write to the
-- tables the statistics read) and the viewer's scope as row level security sees it (the team
-- they lead or belong to, their agent), read in one statement so both come from one snapshot.
select analytics.data_version() as version,
       app.current_team_id() as team_id,
       app.current_agent_id() as agent_id;
