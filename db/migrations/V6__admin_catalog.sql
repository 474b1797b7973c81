-- The admin console edits products and plans. Every edit sets updated_at, so the row is always
-- written and its lock_version always moves (routes and offered plans live in other tables), and
-- the console can say when a product or plan last changed.
alter table api_product add column updated_at timestamptz not null default now();
alter table usage_plan add column updated_at timestamptz not null default now();
