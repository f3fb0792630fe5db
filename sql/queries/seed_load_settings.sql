-- seeding: settings local to the bulk-load transaction (bigger sort memory for index builds).
set local maintenance_work_mem = '512MB';
set local max_parallel_maintenance_workers = 2;
set local synchronous_commit = off;
