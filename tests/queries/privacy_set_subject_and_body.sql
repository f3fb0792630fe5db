-- test support: set a ticket's subject ($2) and one of its message bodies ($3, interaction $4).
with s as (update public.support_tickets set subject = $2 where id = $1 returning id)
update public.support_interaction_bodies set body = $3
where interaction_id = $4 and exists (select 1 from s);
