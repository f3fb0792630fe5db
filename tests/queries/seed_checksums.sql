-- test support: content checksums of the seeded tables (row text in id order).
select
  (select md5(string_agg(t::text, '|' order by t.id)) from public.support_tickets t) as tickets,
  (select md5(string_agg(i::text, '|' order by i.id)) from public.support_interactions i) as interactions,
  (select md5(string_agg(c::text, '|' order by c.id)) from public.customers c) as customers,
  (select md5(string_agg(s::text, '|' order by s.id)) from public.support_sla_compliance s) as sla,
  (select md5(string_agg(f::text, '|' order by f.id)) from public.support_feedback_surveys f) as surveys,
  (select md5(string_agg(m::text, '|' order by m.id)) from public.support_agents_metrics m) as agent_days,
  (select md5(string_agg(q::text, '|' order by q.id)) from public.support_queue_metrics q) as queues,
  (select md5(string_agg(v::text, '|' order by v.id)) from public.support_vip_tracking v) as vip,
  (select md5(string_agg(u::text, '|' order by u.id)) from auth.users u) as users;
