-- the caller's own team (the team they lead, or their agent's), for reports about "my team".
select app.current_team_id() as team_id;
