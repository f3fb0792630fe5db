-- The change log's read policy, re-created by the partitioning migration (20261202006300) with
-- app.agent_team(agent_id) evaluated per row, gets the per-statement form the hygiene migration
-- (20261202001000) gave every other policy: the led team's agents are read once per statement
-- by app.viewer_lead_team_agents() and compared per row by the immutable app.alert_access_in.
alter policy support_change_log_select on public.support_change_log using (
  case table_name
    when 'support_queue_metrics' then app.is_staff((select app.app_role()))
    when 'support_alerts' then
      app.alert_access_in((select app.viewer_sees_all()), (select app.viewer_lead_team()),
                          (select app.viewer_lead_team_agents()), (select app.viewer_self_agent()),
                          team_id, agent_id)
    else app.ticket_access((select app.viewer_sees_all()), (select app.viewer_lead_team()),
                           (select app.viewer_self_agent()), team_id, agent_id)
  end
);
