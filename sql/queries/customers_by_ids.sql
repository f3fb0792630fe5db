-- customers by id (dataloader batch) with their contact data. customer_contacts rows are
-- withheld by row level security from analysts, so contact columns are null for them and
-- pii_visible is false: the gateway then shows masked values.
select c.*, cc.full_name, cc.email, cc.phone, (cc.customer_id is not null) as pii_visible
from public.customers c
left join public.customer_contacts cc on cc.customer_id = c.id
where c.id = any($1::uuid[]);
