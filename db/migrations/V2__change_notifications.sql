-- Every committed change that the gateway check caches is announced on channel keyport_changes,
-- so each Keyport node's cache drops what changed within milliseconds of the commit (NOTIFY is
-- delivered only on commit). Payloads: key:<hash>, key-id:<uuid>, user:<username>, catalog.

create function keyport_api_key_changed() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        perform pg_notify('keyport_changes', 'key:' || old.key_hash);
    else
        perform pg_notify('keyport_changes', 'key:' || new.key_hash);
    end if;
    return null;
end $$;

create function keyport_api_key_metadata_changed() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        perform pg_notify('keyport_changes', 'key-id:' || old.key_id);
    else
        perform pg_notify('keyport_changes', 'key-id:' || new.key_id);
    end if;
    return null;
end $$;

create function keyport_user_changed() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        perform pg_notify('keyport_changes', 'user:' || old.username);
    else
        perform pg_notify('keyport_changes', 'user:' || new.username);
    end if;
    return null;
end $$;

create function keyport_catalog_changed() returns trigger language plpgsql as $$
begin
    perform pg_notify('keyport_changes', 'catalog');
    return null;
end $$;

-- Not on last_used_at alone: recording use must not empty the caches it comes from.
create trigger api_key_changed
    after insert or delete or update of user_id, product_id, plan_id, name, key_hash, expires_at, revoked_at
    on api_key for each row execute function keyport_api_key_changed();
create trigger api_key_metadata_changed after insert or update or delete on api_key_metadata
    for each row execute function keyport_api_key_metadata_changed();
create trigger app_user_changed after update or delete on app_user
    for each row execute function keyport_user_changed();
create trigger usage_plan_changed after insert or update or delete on usage_plan
    for each statement execute function keyport_catalog_changed();
create trigger api_product_changed after insert or update or delete on api_product
    for each statement execute function keyport_catalog_changed();
create trigger product_route_changed after insert or update or delete on product_route
    for each statement execute function keyport_catalog_changed();
create trigger product_plan_changed after insert or update or delete on product_plan
    for each statement execute function keyport_catalog_changed();
