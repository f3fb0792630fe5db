-- test support (time tests): a hand-built reference data set, written as the database owner.
-- calendars (iso weekdays, local hours):
--   1 paris business hours   europe/paris      mon-fri 09:00-18:00, closed 2026-11-11 (armistice)
--                                              and 2026-05-01
--   2 new york extended      america/new_york  mon-sat 08:00-20:00, closed 2026-11-26
--   3 paris night desk       europe/paris      every day 00:30-03:30 (the dst hour is inside)
--   4 paris sunday early     europe/paris      sundays 02:30-05:00 (opens inside the dst hour)
-- sla policies: 1 business time (calendar 1, first response 120, resolution 1080 minutes),
-- 2 calendar time (no calendar, 30 and 240 minutes).
-- one team with two agents (each with an auth user), one customer, one category.
insert into public.support_business_calendars (id, name, timezone, open_days, opens_at, closes_at)
values
  (1, 'paris business hours', 'Europe/Paris', '{1,2,3,4,5}', '09:00', '18:00'),
  (2, 'new york extended', 'America/New_York', '{1,2,3,4,5,6}', '08:00', '20:00'),
  (3, 'paris night desk', 'Europe/Paris', '{1,2,3,4,5,6,7}', '00:30', '03:30'),
  (4, 'paris sunday early', 'Europe/Paris', '{7}', '02:30', '05:00');

insert into public.support_calendar_holidays (calendar_id, holiday, name)
values
  (1, '2026-11-11', 'armistice'),
  (1, '2026-05-01', 'labour day'),
  (2, '2026-11-26', 'thanksgiving');

insert into public.support_sla_policies
  (id, name, priority, customer_tier, channel, first_response_minutes, resolution_minutes,
   calendar_id)
values
  (1, 'normal business hours', 'normal', 'standard', null, 120, 1080, 1),
  (2, 'urgent around the clock', 'urgent', 'standard', null, 30, 240, null);

insert into public.teams (id, name, specialty, timezone)
values ('00000000-0000-0000-0000-0000000000e1', 'time team', 'general', 'Europe/Paris');

insert into auth.users (id, email)
values
  ('00000000-0000-0000-0000-0000000000a1', 'agent.a@time.test'),
  ('00000000-0000-0000-0000-0000000000b1', 'agent.b@time.test'),
  ('00000000-0000-0000-0000-0000000000c1', 'manager@time.test');

insert into public.user_roles (user_id, app_role, team_id)
values
  ('00000000-0000-0000-0000-0000000000a1', 'agent', null),
  ('00000000-0000-0000-0000-0000000000b1', 'agent', null),
  ('00000000-0000-0000-0000-0000000000c1', 'manager', null);

insert into public.agents (id, user_id, team_id, display_name, email, skill_level, hired_on)
values
  ('00000000-0000-0000-0000-0000000000a2', '00000000-0000-0000-0000-0000000000a1',
   '00000000-0000-0000-0000-0000000000e1', 'agent a', 'agent.a@time.test', 3, '2025-01-06'),
  ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000b1',
   '00000000-0000-0000-0000-0000000000e1', 'agent b', 'agent.b@time.test', 3, '2025-01-06');

insert into public.customers (id, segment, country, joined_at)
values ('00000000-0000-0000-0000-0000000000d1', 'beauty', 'FR', '2025-01-01T00:00:00Z');

insert into public.support_categories (id, slug, name, path, depth)
values (1, 'general', 'general', 'general', 0);
