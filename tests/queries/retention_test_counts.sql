-- test support: what retention must keep or remove, for the month [$1, $2) and cutoffs $3
-- (bodies) and $4 (tickets).
select (select count(*) from public.support_interactions where created_at >= $1 and created_at < $2) as month_interactions,
       (select count(*) from public.support_interactions) as interactions,
       (select count(*) from public.support_tickets) as tickets,
       (select count(*) from public.support_interaction_bodies b
          join public.support_interactions i on i.id = b.interaction_id where i.created_at < $3) as old_bodies,
       (select count(*) from public.support_interaction_bodies) as bodies,
       (select count(*) from public.support_tickets where created_at < $4 and anonymised_at is null) as old_tickets,
       (select count(*) from public.support_tickets where created_at < $4 and subject not like 'ticket %') as named_old_tickets;
