-- test support (insights roles): active vip clients scored now (every row: the owner).
select count(*) as n from analytics.insight_vip_features(now(), 90, 90, null);
