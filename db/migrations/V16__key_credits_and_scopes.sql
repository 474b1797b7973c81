-- Credits per key (SPEC §11): remaining uses, optionally refilled to refill_amount at every UTC day
-- or month start. refilled_at is the start of the period in which remaining was last set (by an
-- administrator or a refill); generation counts the administrator's settings, so a new setting
-- starts the shared count in Redis afresh. The check takes one credit per admitted request with an
-- atomic update (local mode) or in Redis (redis mode), so only a change of the setting, not of
-- remaining, is announced on the change feed.
create table api_key_credits (
    key_id          uuid        primary key references api_key (id) on delete cascade,
    remaining       bigint      not null check (remaining >= 0),
    refill_amount   bigint      check (refill_amount > 0),
    refill_interval varchar(7)  check (refill_interval in ('DAILY', 'MONTHLY')),
    refilled_at     timestamptz not null,
    generation      bigint      not null default 1,
    check ((refill_amount is null) = (refill_interval is null))
);

-- Scopes per key: the methods and path prefixes (within the key's product) it may use; a key
-- without rows of a kind is not narrowed by that kind.
create table api_key_scope_method (
    key_id uuid        not null references api_key (id) on delete cascade,
    method varchar(20) not null,
    primary key (key_id, method)
);
create table api_key_scope_path (
    key_id      uuid         not null references api_key (id) on delete cascade,
    path_prefix varchar(500) not null,
    primary key (key_id, path_prefix)
);

alter table key_usage drop constraint key_usage_outcome_check;
alter table key_usage add constraint key_usage_outcome_check
    check (outcome in ('admitted', 'rate_limited', 'quota_exceeded', 'route_not_allowed',
                       'invalid_api_key', 'ip_not_allowed', 'credits_exhausted'));

create trigger api_key_credits_set after insert or delete on api_key_credits
    for each row execute function keyport_api_key_metadata_changed();
create trigger api_key_credits_changed after update on api_key_credits
    for each row when (old.generation is distinct from new.generation)
    execute function keyport_api_key_metadata_changed();
create trigger api_key_scope_method_changed after insert or update or delete on api_key_scope_method
    for each row execute function keyport_api_key_metadata_changed();
create trigger api_key_scope_path_changed after insert or update or delete on api_key_scope_path
    for each row execute function keyport_api_key_metadata_changed();
