-- the latest $2 interactions of each ticket (dataloader batch), newest first, with the message
-- text where row level security lets the caller read it (body_visible false otherwise).
-- app.latest_interactions (migration 20261203003100) keeps one generic plan per connection and
-- reads only the monthly partitions from each ticket's creation on.
select (l.interaction).*, l.body, l.body_visible
from app.latest_interactions($1::bigint[], $2::int) l;
