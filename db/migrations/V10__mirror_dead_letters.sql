-- A change the Redis mirror cannot apply because Redis refuses it (for example WRONGTYPE, when
-- something else holds a user's name as a string) is set aside as a dead letter: kept here with
-- its error (last_error), its attempt count (attempts) and when it was set aside (dead_at), shown
-- to admins, and retried by a resync. The publisher skips dead letters, so one bad row no longer
-- holds back every change after it.
alter table mirror_outbox add column dead_at timestamptz;
create index mirror_outbox_dead on mirror_outbox (id) where dead_at is not null and delivered_at is null;
