-- retention: detach a monthly partition ({parent}, {part} from app.partitions_before).
alter table public.{parent} detach partition partitions.{part};
