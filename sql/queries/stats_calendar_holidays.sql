-- forecasts: holidays of the business calendars between two local dates, for holiday effects.
-- calendars in the forecast's time zone when there are any, else every calendar the caller
-- may read (row level security: staff).
-- $1 first date, $2 last date, $3 time zone name.
select distinct h.holiday
from public.support_calendar_holidays h
join public.support_business_calendars c on c.id = h.calendar_id
where h.holiday between $1::date and $2::date
  and (c.timezone = $3::text
       or not exists (select 1 from public.support_business_calendars z
                      where z.timezone = $3::text))
order by h.holiday;
