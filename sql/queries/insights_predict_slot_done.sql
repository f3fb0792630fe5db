-- insights predict schedule: whether the slot starting at $1 has been run already.
select exists (
  select 1 from public.support_insight_runs r where r.slot_start = $1::timestamptz
) as done;
