-- test only: hold an exclusive lock on a table (inside the caller's transaction), so statements
-- reading it wait (until their statement timeout, or until the lock is released).
lock table public.{table} in access exclusive mode;
