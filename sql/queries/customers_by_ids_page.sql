-- customers visible to the caller, optionally of vip tiers $1, keyset-paginated by id
-- (after $2, $3 rows), with contact data where row level security allows it.
select c.*, cc.full_name, cc.email, cc.phone, (cc.customer_id is not null) as pii_visible
from public.customers c
left join public.customer_contacts cc on cc.customer_id = c.id
where ($1::text[] is null or c.vip_tier = any($1::text[]))
  and ($2::uuid is null or c.id > $2::uuid)
order by c.id
limit $3;
