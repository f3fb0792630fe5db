-- statistics tests: holidays of the business calendars in a time zone (as the owner).
select distinct h.holiday from public.support_calendar_holidays h
join public.support_business_calendars c on c.id = h.calendar_id
where c.timezone = $1 order by 1;
