-- predictive insights (issue 11): the scheduled predict job runs once per slot, whatever the
-- number of gateway processes (serve --workers n, several hosts).
--
-- every process keeps the schedule; at each tick the job takes a transaction-scoped advisory
-- lock (pg_try_advisory_xact_lock: the others skip at once instead of waiting), looks for its
-- slot here, and when the slot is not yet done runs predict and records the slot in the same
-- transaction as the predictions. the lock is released at commit, so a process ticking later
-- finds the slot done; a failed run rolls back its slot row with its writes and the next tick
-- tries again. written by the owner connection only.
create table public.support_insight_runs (
  slot_start timestamptz primary key,
  slot_hours double precision not null check (slot_hours > 0),
  run_at timestamptz not null,
  finished_at timestamptz not null default now(),
  rows_written integer not null check (rows_written >= 0)
);
comment on table public.support_insight_runs is 'scheduled insights predict runs, one row per schedule slot (slot_start = the run time floored to a multiple of slot_hours since the epoch): the slot''s run instant and the prediction rows it wrote. lets any number of gateway processes run the job once per slot.';
alter table public.support_insight_runs enable row level security;
-- operational data of the job, no client or agent in it: staff may read it, nobody writes it
-- through the api.
create policy support_insight_runs_select_staff on public.support_insight_runs
  for select to authenticated using (app.is_staff((select app.app_role())));
grant select on public.support_insight_runs to authenticated;
grant all on public.support_insight_runs to service_role;
