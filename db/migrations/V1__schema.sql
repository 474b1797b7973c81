-- Keyport's system of record. Flyway applies this once; later changes go into V2, V3, ...

create table app_user (
    id            bigint generated always as identity primary key,
    username      varchar(254) not null,
    display_name  varchar(200) not null,
    password_hash varchar(512),
    oidc_issuer   varchar(500),
    oidc_subject  varchar(500),
    enabled       boolean      not null default true,
    created_at    timestamptz  not null default now(),
    lock_version  bigint       not null default 0,
    constraint app_user_username_unique unique (username),
    constraint app_user_username_lowercase check (username = lower(username))
);

create table user_role (
    user_id bigint      not null references app_user (id) on delete cascade,
    role    varchar(32) not null check (role in ('developer', 'admin')),
    primary key (user_id, role)
);

create table usage_plan (
    id                 bigint generated always as identity primary key,
    name               varchar(64)  not null,
    display_name       varchar(200) not null,
    description        varchar(2000),
    requests_per_unit  integer check (requests_per_unit > 0),
    rate_unit          varchar(8) check (rate_unit in ('SECOND', 'MINUTE', 'HOUR', 'DAY')),
    monthly_quota      bigint check (monthly_quota > 0),
    max_keys_per_user  integer check (max_keys_per_user > 0),
    created_at         timestamptz  not null default now(),
    lock_version       bigint       not null default 0,
    constraint usage_plan_name_unique unique (name),
    constraint usage_plan_limit_complete check ((requests_per_unit is null) = (rate_unit is null))
);

create table api_product (
    id           bigint generated always as identity primary key,
    slug         varchar(64)  not null,
    display_name varchar(200) not null,
    description  varchar(4000),
    version      varchar(64),
    openapi      text,
    retired_at   timestamptz,
    created_at   timestamptz  not null default now(),
    lock_version bigint       not null default 0,
    constraint api_product_slug_unique unique (slug)
);

create table product_route (
    id          bigint generated always as identity primary key,
    product_id  bigint       not null references api_product (id) on delete cascade,
    host        varchar(253),
    path_prefix varchar(500) not null check (path_prefix like '/%'),
    methods     varchar(200)
);
create index product_route_product on product_route (product_id);

create table product_plan (
    product_id bigint not null references api_product (id) on delete cascade,
    plan_id    bigint not null references usage_plan (id),
    primary key (product_id, plan_id)
);

create table api_key (
    id             uuid         primary key,
    user_id        bigint       not null references app_user (id),
    product_id     bigint       not null references api_product (id),
    plan_id        bigint       not null references usage_plan (id),
    name           varchar(64)  not null,
    key_hash       varchar(44)  not null,
    hint           varchar(32)  not null,
    created_at     timestamptz  not null default now(),
    expires_at     timestamptz,
    revoked_at     timestamptz,
    revoked_reason varchar(500),
    last_used_at   timestamptz,
    lock_version   bigint       not null default 0,
    constraint api_key_hash_unique unique (key_hash)
);
-- A deleted (revoked) key is kept for audit, and its name may be taken again.
create unique index api_key_live_name_unique on api_key (user_id, product_id, name) where revoked_at is null;
create index api_key_user on api_key (user_id);

create table api_key_metadata (
    key_id     uuid          not null references api_key (id) on delete cascade,
    meta_key   varchar(100)  not null,
    meta_value varchar(1000) not null,
    primary key (key_id, meta_key)
);

create table audit_event (
    id             bigint generated always as identity primary key,
    occurred_at    timestamptz  not null default now(),
    actor          varchar(254) not null,
    action         varchar(64)  not null,
    target_type    varchar(32)  not null,
    target_id      varchar(200) not null,
    details        text,
    client_address varchar(64)
);
create index audit_event_time on audit_event (occurred_at);
create index audit_event_target on audit_event (target_type, target_id);

-- One-off facts about this installation, such as "the demo data was seeded".
create table keyport_state (
    name       varchar(64) primary key,
    value      varchar(500) not null,
    updated_at timestamptz  not null default now()
);
