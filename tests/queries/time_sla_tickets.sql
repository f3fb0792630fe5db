-- test support (time tests): hand-built tickets for the sla state tests (after time_reference).
-- policy 1 = paris business hours mon-fri 09:00-18:00 (2026-11-11 closed), 120 / 1080 minutes;
-- policy 2 = calendar time, 30 / 240 minutes. paris is utc+1 throughout november 2026.
--   101 fri 17:30 paris, first reply mon 09:15, solved wed 11 (holiday) 12:00
--   102 tue 17:00 paris, nothing yet
--   103 mon 16:00 paris, nothing yet
--   104 thu 12 08:00z (calendar time), first reply 08:20z
--   105 wed 11 20:00z (calendar time), first reply thu 12 10:00z
--   106 mon 09:00 paris, first reply 12:00; its first response target row says 240 minutes
--   107 no sla policy
--   108 mon 09:00 paris, first reply 09:30, solved tue 10:00 then reopened (open again)
insert into public.support_tickets
  (id, subject, customer_id, channel, category_id, priority, status, team_id, assigned_agent_id,
   sla_policy_id, created_at, updated_at, first_response_at, first_resolved_at, resolved_at,
   reopen_count)
values
  (101, 'sla 101', '00000000-0000-0000-0000-0000000000d1', 'email', 1, 'normal', 'solved',
   '00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000a2', 1,
   '2026-11-06T16:30:00Z', '2026-11-11T11:00:00Z', '2026-11-09T08:15:00Z',
   '2026-11-11T11:00:00Z', '2026-11-11T11:00:00Z', 0),
  (102, 'sla 102', '00000000-0000-0000-0000-0000000000d1', 'email', 1, 'normal', 'new',
   '00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000a2', 1,
   '2026-11-10T16:00:00Z', '2026-11-10T16:00:00Z', null, null, null, 0),
  (103, 'sla 103', '00000000-0000-0000-0000-0000000000d1', 'email', 1, 'normal', 'new',
   '00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000a2', 1,
   '2026-11-09T15:00:00Z', '2026-11-09T15:00:00Z', null, null, null, 0),
  (104, 'sla 104', '00000000-0000-0000-0000-0000000000d1', 'chat', 1, 'urgent', 'open',
   '00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000a2', 2,
   '2026-11-12T08:00:00Z', '2026-11-12T08:20:00Z', '2026-11-12T08:20:00Z', null, null, 0),
  (105, 'sla 105', '00000000-0000-0000-0000-0000000000d1', 'chat', 1, 'urgent', 'open',
   '00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000b2', 2,
   '2026-11-11T20:00:00Z', '2026-11-12T10:00:00Z', '2026-11-12T10:00:00Z', null, null, 0),
  (106, 'sla 106', '00000000-0000-0000-0000-0000000000d1', 'email', 1, 'normal', 'open',
   '00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000b2', 1,
   '2026-11-09T08:00:00Z', '2026-11-09T11:00:00Z', '2026-11-09T11:00:00Z', null, null, 0),
  (107, 'sla 107', '00000000-0000-0000-0000-0000000000d1', 'email', 1, 'low', 'open',
   '00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000b2', null,
   '2026-11-09T08:00:00Z', '2026-11-09T08:00:00Z', null, null, null, 0),
  (108, 'sla 108', '00000000-0000-0000-0000-0000000000d1', 'email', 1, 'normal', 'open',
   '00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000b2', 1,
   '2026-11-09T08:00:00Z', '2026-11-11T08:00:00Z', '2026-11-09T08:30:00Z',
   '2026-11-10T09:00:00Z', null, 1);

insert into public.support_sla_compliance
  (ticket_id, sla_policy_id, target_type, target_minutes, due_at, achieved_at, status)
values
  (106, 1, 'first_response', 240, '2026-11-09T12:00:00Z', '2026-11-09T11:00:00Z', 'achieved');
