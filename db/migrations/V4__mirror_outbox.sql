-- The transactional outbox of the Redis mirror (SPEC §5): a key change inserts a row here in the
-- same transaction, and the publisher makes Redis match the key's committed state, then marks
-- the row delivered. The hash and username are kept so a removal can be mirrored even if the key
-- row itself is gone.
create table mirror_outbox (
    id           bigint generated always as identity primary key,
    key_id       uuid         not null,
    key_hash     varchar(44)  not null,
    username     varchar(254) not null,
    created_at   timestamptz  not null default now(),
    delivered_at timestamptz,
    attempts     integer      not null default 0,
    last_error   varchar(1000)
);
create index mirror_outbox_pending on mirror_outbox (id) where delivered_at is null;
