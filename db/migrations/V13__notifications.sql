-- Notifications (docs/notifications.md): every event that owners or the operator's systems hear
-- about is written here in the transaction of the change itself (an outbox), with one delivery
-- row per webhook endpoint that subscribed to its type and per e-mail it causes. A dispatcher, on
-- one node at a time, sends what is due and retries failures with backoff for up to 24 hours.

create table notification_event (
    id          uuid         primary key,
    type        varchar(32)  not null,
    occurred_at timestamptz  not null default now(),
    -- whom the event is about (a key's owner, a disabled user): the e-mail goes there
    subject     varchar(254),
    -- the exact body every webhook delivery sends: {"type","timestamp","data"}, never a key value
    body        text         not null,
    -- set by the sweeps (expiring, expired, quota) so that each of their events happens once
    once_key    text,
    constraint notification_event_once unique (once_key)
);
create index notification_event_time on notification_event (occurred_at);

create table webhook_endpoint (
    id           bigint generated always as identity primary key,
    url          varchar(2000) not null,
    description  varchar(200),
    -- whsec_ + base64 of 32 random bytes: shown once, kept because every delivery is signed with it
    secret       varchar(100)  not null,
    enabled      boolean       not null default true,
    created_at   timestamptz   not null default now(),
    lock_version bigint        not null default 0
);

create table webhook_subscription (
    endpoint_id bigint      not null references webhook_endpoint (id) on delete cascade,
    event_type  varchar(32) not null,
    primary key (endpoint_id, event_type)
);
create index webhook_subscription_type on webhook_subscription (event_type);

create table notification_delivery (
    id               bigint generated always as identity primary key,
    event_id         uuid          not null references notification_event (id) on delete cascade,
    channel          varchar(8)    not null check (channel in ('webhook', 'email')),
    endpoint_id      bigint        references webhook_endpoint (id) on delete cascade,
    recipient        varchar(254),
    status           varchar(10)   not null default 'pending'
                                   check (status in ('pending', 'delivered', 'failed')),
    attempts         integer       not null default 0,
    next_attempt_at  timestamptz   not null default now(),
    give_up_at       timestamptz   not null default now() + interval '24 hours',
    last_attempt_at  timestamptz,
    last_status_code integer,
    last_error       varchar(1000),
    delivered_at     timestamptz,
    created_at       timestamptz   not null default now(),
    constraint notification_delivery_target check (
        (channel = 'webhook' and endpoint_id is not null) or (channel = 'email' and recipient is not null))
);
create index notification_delivery_due on notification_delivery (next_attempt_at) where status = 'pending';
create index notification_delivery_event on notification_delivery (event_id);
create index notification_delivery_endpoint on notification_delivery (endpoint_id, id);

-- A user may turn off the optional e-mails (created, expiring, expired, quota); a revocation by an
-- administrator is always sent.
alter table app_user add column optional_mail boolean not null default true;
