-- A local user made by an admin signs in with a temporary password and must choose their own
-- before anything else works; a password change ends the user's sessions that began before it.
alter table app_user add column password_change_required boolean not null default false;
alter table app_user add column password_changed_at timestamptz;
