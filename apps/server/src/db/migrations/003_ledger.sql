-- The transparency log (RFC 9162) over the outbox: entries, the stored tree hashes, and the signed
-- checkpoints, all written by the one sequencer that holds the ledger lock.

create table ledger_entries (
  idx         bigint primary key,
  outbox_id   bigint not null unique references outbox (id),
  entry       text not null,
  leaf_hash   bytea not null,
  integrated_at timestamptz not null
);

-- Stored hashes in RFC 9162 append order (see @tongban/ledger storedHashIndex).
create table ledger_hashes (
  idx   bigint primary key,
  hash  bytea not null
);

create table ledger_checkpoints (
  tree_size   bigint primary key,
  root_hash   bytea not null,
  note        text not null,
  created_at  timestamptz not null
);

-- Which outbox rows are in the log. A watermark (max integrated id) would skip a row whose transaction
-- took its id early but committed late; marking each row cannot.
alter table outbox add column ledger_idx bigint;
create index outbox_pending_idx on outbox (id) where ledger_idx is null;
