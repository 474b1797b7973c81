-- Rolling a key (SPEC §11): the key gets a new value (a new hash and hint) and keeps its id, so
-- usage, limits and quota carry on; the value it had keeps passing until previous_valid_until.
-- One previous value at a time: rolling again during a grace ends the older value at once.
alter table api_key add column previous_key_hash    varchar(44);
alter table api_key add column previous_hint        varchar(32);
alter table api_key add column previous_valid_until timestamptz;
create unique index api_key_previous_hash_unique on api_key (previous_key_hash)
    where previous_key_hash is not null;
-- The mirror's sweep looks for graces that ended since its last round.
create index api_key_previous_valid_until on api_key (previous_valid_until)
    where previous_key_hash is not null;

-- A key's change now reaches every node's cache under each of its values: the hash it had, the
-- one it has, and its previous value's, so a roll, an early end of grace, or a deletion during a
-- grace drops all of them. pg_notify folds repeated payloads within one transaction.
create or replace function keyport_api_key_changed() returns trigger language plpgsql as $$
begin
    if tg_op <> 'INSERT' then
        perform pg_notify('keyport_changes', 'key:' || old.key_hash);
        if old.previous_key_hash is not null then
            perform pg_notify('keyport_changes', 'key:' || old.previous_key_hash);
        end if;
    end if;
    if tg_op <> 'DELETE' then
        perform pg_notify('keyport_changes', 'key:' || new.key_hash);
        if new.previous_key_hash is not null then
            perform pg_notify('keyport_changes', 'key:' || new.previous_key_hash);
        end if;
    end if;
    return null;
end $$;

drop trigger api_key_changed on api_key;
create trigger api_key_changed
    after insert or delete or update of user_id, product_id, plan_id, name, key_hash, expires_at,
        revoked_at, previous_key_hash, previous_valid_until
    on api_key for each row execute function keyport_api_key_changed();
