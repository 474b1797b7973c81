-- Secret scanners' reports of leaked keys (GitHub's partner program): the SHA-256 of each signed
-- body handled, so a replayed report is refused before it does anything.
create table leak_report (
    body_sha256 char(64)    primary key,
    scanner     varchar(32) not null,
    tokens      integer     not null check (tokens >= 0),
    received_at timestamptz not null default now()
);
