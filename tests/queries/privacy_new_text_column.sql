-- test support: a new table of schema public with a free-text and a closed-set column.
create table public.privacy_probe (
  note text, kind text check (kind in ('a', 'b')), amount integer
);
