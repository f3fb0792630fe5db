-- alerting tests: the incidents the seeder injected (ground truth), as the owner.
select i.kind, i.starts_at, i.ends_at, i.scope from public.support_incidents i order by i.starts_at;
