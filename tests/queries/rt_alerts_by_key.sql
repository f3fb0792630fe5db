-- alerting tests: the alerts with dedup key $1 (as the owner).
select a.* from public.support_alerts a where a.dedup_key = $1 order by a.id;
