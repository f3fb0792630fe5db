-- seeding guard: whether the database already holds support tickets (the seeder refuses to mix).
select exists (select 1 from public.support_tickets) as has_tickets;
