-- time done right: business minutes through an sla policy's calendar, due times, and local time
-- buckets for series.
--
-- a business calendar (public.support_business_calendars) is open on its iso weekdays
-- (`open_days`, 1 = monday), from `opens_at` to `closes_at` local time in its `timezone`, except
-- on its holidays (public.support_calendar_holidays). each local date d contributes the instants
-- [(d + opens_at) at time zone tz, (d + closes_at) at time zone tz): the local opening and closing
-- times are converted with `at time zone`, so a day whose open hours contain a daylight saving
-- change really is an hour shorter or longer. a local opening or closing time that falls in a dst
-- gap or overlap is resolved as `at time zone` resolves it (gap: the offset before the change, so
-- 02:30 on a spring-forward day means 03:30 new time; overlap: the later, post-change occurrence).
--
-- all functions are security invoker: they read calendars and holidays under the caller's row
-- level security (visible to all staff). a calendar the caller cannot see counts as unknown.

create schema if not exists analytics;
comment on schema analytics is 'kpi and time functions for the gateway: security invoker, so row level security applies to the caller.';

-- ---------------------------------------------------------------------------------------------
-- business minutes between two instants
-- ---------------------------------------------------------------------------------------------

create or replace function analytics.business_minutes(
  p_calendar_id integer, p_from timestamptz, p_to timestamptz
) returns numeric
language sql
stable
security invoker
parallel safe
set search_path = ''
as $$
  select case
    when p_from is null or p_to is null then null
    when p_to <= p_from then 0::numeric
    -- no calendar: the target runs in calendar time
    when p_calendar_id is null then extract(epoch from p_to - p_from) / 60
    else (
      -- walk the local dates that can intersect [p_from, p_to) (one spare day before the local
      -- date of p_from), intersecting each open day's interval with the span. one row per day:
      -- the walk is as long as the span, never longer.
      select coalesce(
          sum(greatest(0, extract(epoch from least(p_to, o.closes_at) - greatest(p_from, o.opens_at))))
            filter (where
              extract(isodow from d.day)::smallint = any (c.open_days)
              and h.holiday is null
              and o.closes_at > p_from
              and o.opens_at < p_to),
          0) / 60
      from public.support_business_calendars c
      cross join lateral generate_series(
        0, (p_to at time zone c.timezone)::date - (p_from at time zone c.timezone)::date + 1) as g (i)
      cross join lateral (
        select (p_from at time zone c.timezone)::date - 1 + g.i as day
      ) as d
      cross join lateral (
        select (d.day + c.opens_at) at time zone c.timezone as opens_at,
               (d.day + c.closes_at) at time zone c.timezone as closes_at
      ) as o
      left join public.support_calendar_holidays h
        on h.calendar_id = c.id and h.holiday = d.day
      where c.id = p_calendar_id
      group by c.id
    )
  end
$$;
comment on function analytics.business_minutes(integer, timestamptz, timestamptz) is
  'minutes of [p_from, p_to) inside the open hours of business calendar p_calendar_id (its iso weekdays, local opening hours in its timezone, holidays excluded), exact across nights, weekends, holidays and dst changes; calendar minutes when p_calendar_id is null; 0 when p_to <= p_from; null when an instant is null or the calendar is unknown or not visible.';

-- ---------------------------------------------------------------------------------------------
-- due time: p_minutes business minutes after p_start
-- ---------------------------------------------------------------------------------------------

create or replace function analytics.add_business_minutes(
  p_calendar_id integer, p_start timestamptz, p_minutes numeric
) returns timestamptz
language plpgsql
stable
security invoker
parallel safe
set search_path = ''
as $$
declare
  -- the walk stops after this many local days (ten years): a calendar that is closed for that
  -- long has no due time.
  max_days constant integer := 3660;
  cal record;
  first_day date;
  v_day date;
  v_open timestamptz;
  v_close timestamptz;
  v_len numeric;
  v_left numeric := p_minutes;
begin
  if p_start is null or p_minutes is null then
    return null;
  end if;
  if p_minutes < 0 then
    raise exception 'add_business_minutes: p_minutes must not be negative, got %', p_minutes
      using errcode = '22023';
  end if;
  if p_calendar_id is null then
    return p_start + p_minutes * interval '1 minute';
  end if;
  select c.timezone, c.open_days, c.opens_at, c.closes_at into cal
  from public.support_business_calendars c
  where c.id = p_calendar_id;
  if not found then
    return null;
  end if;
  if p_minutes = 0 then
    return p_start;
  end if;
  -- one spare day before the local date of p_start, as in business_minutes.
  first_day := (p_start at time zone cal.timezone)::date - 1;
  for i in 0 .. max_days loop
    v_day := first_day + i;
    continue when not (extract(isodow from v_day)::smallint = any (cal.open_days));
    continue when exists (
      select 1 from public.support_calendar_holidays h
      where h.calendar_id = p_calendar_id and h.holiday = v_day);
    v_open := greatest(p_start, (v_day + cal.opens_at) at time zone cal.timezone);
    v_close := (v_day + cal.closes_at) at time zone cal.timezone;
    continue when v_close <= v_open;
    v_len := extract(epoch from v_close - v_open) / 60;
    if v_len >= v_left then
      -- the earliest instant at which p_minutes business minutes have elapsed
      return least(v_close, v_open + v_left * interval '1 minute');
    end if;
    v_left := v_left - v_len;
  end loop;
  return null;
end
$$;
comment on function analytics.add_business_minutes(integer, timestamptz, numeric) is
  'the due time: the earliest instant t with business_minutes(p_calendar_id, p_start, t) = p_minutes (a closing time when the minutes run out exactly at closing); calendar time when p_calendar_id is null; p_start when p_minutes = 0; null when an argument is null, the calendar is unknown or not visible, or it has no open time within ten years. negative minutes are an error (22023).';

-- ---------------------------------------------------------------------------------------------
-- series buckets in the caller's time zone
-- ---------------------------------------------------------------------------------------------

create or replace function analytics.series_buckets(
  p_from timestamptz, p_to timestamptz, p_granularity text, p_timezone text
) returns table (
  bucket_no integer, bucket_start timestamptz, bucket_end timestamptz, local_start timestamp
)
language plpgsql
stable
security invoker
parallel safe
set search_path = ''
as $$
declare
  -- a request may not make the database generate more buckets than this.
  max_buckets constant integer := 100000;
  step interval;
  first_hour timestamptz;
begin
  step := case p_granularity
    when 'hour' then interval '1 hour'
    when 'day' then interval '1 day'
    when 'week' then interval '1 week'
    when 'month' then interval '1 month'
  end;
  if step is null then
    raise exception 'series_buckets: unknown granularity %, expected hour, day, week or month',
      coalesce(quote_literal(p_granularity), 'null')
      using errcode = '22023';
  end if;
  if p_from is null or p_to is null or p_timezone is null or p_to <= p_from then
    return;
  end if;
  if p_granularity = 'hour' then
    if p_to - p_from > max_buckets * interval '1 hour' then
      raise exception 'series_buckets: more than % hour buckets', max_buckets using errcode = '22023';
    end if;
    -- consecutive real hours from the local hour holding p_from: hours are absolute time, so a
    -- local hour that repeats when clocks go back is two buckets (25 on that day, 23 on the
    -- spring-forward day). local wall-clock hours and real hours coincide wherever the utc
    -- offset changes by whole hours.
    first_hour := p_from - ((p_from at time zone p_timezone)
                            - date_trunc('hour', p_from at time zone p_timezone));
    return query
      select (row_number() over (order by s.bucket_start))::integer,
             s.bucket_start,
             s.bucket_start + interval '1 hour',
             s.bucket_start at time zone p_timezone
      from generate_series(first_hour, p_to - interval '1 microsecond', interval '1 hour')
        as s (bucket_start)
      order by s.bucket_start;
  else
    if p_to - p_from > max_buckets * interval '1 day' then
      raise exception 'series_buckets: more than % day buckets', max_buckets using errcode = '22023';
    end if;
    -- local calendar boundaries (midnight, iso monday, first of the month) from the bucket that
    -- holds p_from, each converted to an instant with `at time zone`: a day is 23 or 25 hours
    -- long when the clocks change. one spare local bucket at the end; those ending at or before
    -- p_from or starting at or after p_to are dropped.
    return query
      select (row_number() over (order by l.local_start))::integer,
             l.local_start at time zone p_timezone,
             (l.local_start + step) at time zone p_timezone,
             l.local_start
      from generate_series(
          date_trunc(p_granularity, p_from at time zone p_timezone),
          (p_to at time zone p_timezone) + step,
          step) as l (local_start)
      where (l.local_start + step) at time zone p_timezone > p_from
        and l.local_start at time zone p_timezone < p_to
      order by l.local_start;
  end if;
end
$$;
comment on function analytics.series_buckets(timestamptz, timestamptz, text, text) is
  'the buckets of a series over [p_from, p_to) in iana time zone p_timezone, numbered from 1: local hours (real hours, so the repeated hour of a fall-back day is two buckets), local days from midnight, iso weeks from monday, months from the first; bucket_start and bucket_end are the whole bucket''s instants (the first and last bucket may reach outside the window), local_start its local start. granularity outside hour, day, week, month is an error (22023).';

-- ---------------------------------------------------------------------------------------------
-- privileges: the functions run with the caller's rights, for signed-in users only.
-- ---------------------------------------------------------------------------------------------

grant usage on schema analytics to authenticated, service_role;
revoke execute on function analytics.business_minutes(integer, timestamptz, timestamptz) from public;
revoke execute on function analytics.add_business_minutes(integer, timestamptz, numeric) from public;
revoke execute on function analytics.series_buckets(timestamptz, timestamptz, text, text) from public;
grant execute on function analytics.business_minutes(integer, timestamptz, timestamptz)
  to authenticated, service_role;
grant execute on function analytics.add_business_minutes(integer, timestamptz, numeric)
  to authenticated, service_role;
grant execute on function analytics.series_buckets(timestamptz, timestamptz, text, text)
  to authenticated, service_role;
