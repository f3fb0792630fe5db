-- kpi populations shared by the per-entity figures (issue 8: one implementation per figure).
--
-- the analytics.*_stats functions (migrations 20261125000400, 20261125000800) aggregate per
-- grouping of the kpi engine; fields that show a kpi per entity the engine cannot group by (a
-- category's subtree, a customer, a dedicated agent's vip clients, a vip tier's weekly bucket)
-- read the same population through these functions instead of restating its definition:
--   * csat (docs/metrics.md): surveys sent in [p_from, p_to) with a rating, whenever answered —
--     the rows analytics.survey_stats counts into csat_1..csat_5.
--   * sla (docs/metrics.md): targets due in [p_from, p_to); achieved = met at or before due;
--     breached = not achieved and due before least(p_now, p_to) — analytics.sla_stats's outcome,
--     with the as-of instant passed by the caller (the request's clock) instead of read from now().
-- both are security invoker (the default) and stable: row level security of the caller applies.
-- no search_path: they are single-select sql functions that postgres inlines into the calling
-- statement (a set clause forbids inlining), every name is schema-qualified.

create or replace function analytics.csat_ratings(p_from timestamptz, p_to timestamptz)
returns table (ticket_id bigint, customer_id uuid, sent_at timestamptz, csat_rating smallint)
language sql stable
as $$
  select f.ticket_id, f.customer_id, f.sent_at, f.csat_rating
  from public.support_feedback_surveys f
  where f.sent_at >= p_from and f.sent_at < p_to
    and f.csat_rating is not null
$$;
comment on function analytics.csat_ratings(timestamptz, timestamptz) is 'the csat population: ratings of surveys sent in [p_from, p_to) (the rows of analytics.survey_stats csat_1..csat_5), with ticket, customer and sending time; no search_path: inlined into the calling statement.';

create or replace function analytics.sla_outcomes(
  p_from timestamptz,
  p_to timestamptz,
  p_now timestamptz
) returns table (ticket_id bigint, target_type text, achieved boolean, breached boolean)
language sql stable
as $$
  select
    s.ticket_id,
    s.target_type,
    s.achieved_at is not null and s.achieved_at <= s.due_at,
    not (s.achieved_at is not null and s.achieved_at <= s.due_at)
      and s.due_at < least(p_now, p_to)
  from public.support_sla_compliance s
  where s.due_at >= p_from and s.due_at < p_to
$$;
comment on function analytics.sla_outcomes(timestamptz, timestamptz, timestamptz) is 'the sla population: targets due in [p_from, p_to), achieved (met at or before due) or breached (not achieved, due before least(p_now, p_to)) as analytics.sla_stats judges them; no search_path: inlined into the calling statement.';
