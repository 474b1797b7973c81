-- Key/value pairs an administrator puts on an API product: shown on the product page and served
-- as customMetadata by Gloo Portal's server API (SPEC §10).
create table api_product_metadata (
    product_id bigint        not null references api_product (id) on delete cascade,
    meta_key   varchar(100)  not null,
    meta_value varchar(1000) not null,
    primary key (product_id, meta_key)
);
