-- A plan-wide key (SPEC §10, Gloo Portal's model) belongs to a usage plan, not to one product: it
-- passes on the routes of every live product that offers its plan. It has no product_id.
alter table api_key alter column product_id drop not null;

-- Names stay unique among a user's live keys: per product as before, and per plan among the
-- plan-wide ones (NULLs are distinct in the old index, so it does not cover them).
create unique index api_key_live_plan_wide_name_unique on api_key (user_id, plan_id, name)
    where revoked_at is null and product_id is null;
