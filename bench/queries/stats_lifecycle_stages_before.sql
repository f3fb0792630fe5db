-- bench reference: rootCause's lifecycle statement before the status history (session of
-- 2026-12-02 start, commit 1d933a8), timed beside the current design by bench/statistics.py.
-- statistics rootCause bottlenecks: mean hours per measurable lifecycle stage of the tickets
-- created in a window and in the comparison window, under the caller's row level security.
-- stages: waiting for the first response (created -> first public agent reply), in progress
-- (first reply -> first resolution), reopened (first resolution -> latest resolution, reopened
-- tickets). tickets keep no status history, so time pending the customer or on hold is not here.
-- $1 from, $2 to, $3 comparison from, $4 comparison to, $5 team or null, $6 agent or null.
select w.period,
       count(t.first_response_at) as first_response_n,
       avg(extract(epoch from t.first_response_at - t.created_at)) / 3600.0
         as first_response_hours,
       count(*) filter (where t.first_response_at is not null
                          and t.first_resolved_at >= t.first_response_at) as in_progress_n,
       avg(extract(epoch from t.first_resolved_at - t.first_response_at))
         filter (where t.first_resolved_at >= t.first_response_at) / 3600.0 as in_progress_hours,
       count(*) filter (where t.reopen_count > 0 and t.resolved_at is not null) as reopened_n,
       avg(extract(epoch from t.resolved_at - t.first_resolved_at))
         filter (where t.reopen_count > 0 and t.resolved_at is not null) / 3600.0
         as reopened_hours
from (values ('current', $1::timestamptz, $2::timestamptz),
             ('previous', $3::timestamptz, $4::timestamptz)) as w (period, lo, hi)
join public.support_tickets t on t.created_at >= w.lo and t.created_at < w.hi
where ($5::uuid is null or t.team_id = $5::uuid)
  and ($6::uuid is null or t.assigned_agent_id = $6::uuid)
group by w.period;
