-- privacy benchmark, concurrent writer: touch ticket $1 (old tickets are being anonymised, so
-- this row may be locked by the retention run's current batch).
update public.support_tickets set updated_at = updated_at where id = $1;
