-- Failed logins are counted per (username, client address), for names that exist and names that do
-- not alike: an unknown name is answered exactly as a known one, and a flood of wrong passwords from
-- other addresses cannot lock an account out for its owner (the lock is keyed to account + address;
-- the per-address rate limit bounds guessing across accounts). An administrator can lift a lock.
create table login_failures (
  username text not null,
  address text not null,
  failures integer not null default 0 check (failures >= 0),
  locked_until timestamptz,
  last_at timestamptz not null default now(),
  primary key (username, address)
);

alter table users drop column failed_logins;
alter table users drop column locked_until;
