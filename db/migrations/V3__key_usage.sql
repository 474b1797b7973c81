-- Requests per key per hour, by outcome, flushed in batches from each node's memory (never one
-- write per request). The monthly quota and the usage charts read from here.
create table key_usage (
    key_id  uuid        not null references api_key (id) on delete cascade,
    hour    timestamptz not null check (date_trunc('hour', hour) = hour),
    outcome varchar(32) not null check (outcome in ('admitted', 'rate_limited', 'quota_exceeded',
                                                    'route_not_allowed', 'invalid_api_key')),
    count   bigint      not null check (count >= 0),
    primary key (key_id, hour, outcome)
);
create index key_usage_hour on key_usage (hour);
