-- Rate limits shared by every server process and node (issue 25 §1): the count of a key (an address
-- and a route, a phone) in its current window. One upsert per limited request decides; expired
-- windows are swept now and then. The embedded engine's single process keeps its limits in memory.
create unlogged table rate_limits (
  key text primary key,
  hits integer not null,
  window_ends timestamptz not null
);
