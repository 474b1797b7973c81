-- An IP allowlist per key (SPEC §11): IPv4 and IPv6 ranges in CIDR notation; a key without rows
-- passes from any address. A request from elsewhere is refused 403 ip_not_allowed, metered as such.
create table api_key_cidr (
    key_id uuid        not null references api_key (id) on delete cascade,
    cidr   varchar(49) not null,
    primary key (key_id, cidr)
);

alter table key_usage drop constraint key_usage_outcome_check;
alter table key_usage add constraint key_usage_outcome_check
    check (outcome in ('admitted', 'rate_limited', 'quota_exceeded', 'route_not_allowed',
                       'invalid_api_key', 'ip_not_allowed'));

-- Every node's check cache drops the key when its allowlist changes, as for its metadata.
create trigger api_key_cidr_changed after insert or update or delete on api_key_cidr
    for each row execute function keyport_api_key_metadata_changed();
