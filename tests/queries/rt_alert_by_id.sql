-- alerting tests: alert $1 (as the owner).
select a.* from public.support_alerts a where a.id = $1;
