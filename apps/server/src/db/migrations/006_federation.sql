-- Cross-province handling (跨省通办): the messages a node exchanges with its federation peers.
-- A message to a peer waits in federation_outbox until the peer acknowledges it with a signed
-- receipt; a message from a peer is applied once: its inbox row (unique per sender and idempotency
-- key) commits in the same transaction as its effect.

create table federation_outbox (
  id               uuid primary key,
  peer_region      char(6) not null,
  type             text not null,
  -- What the message is about (a case id …), to show a case's messages.
  subject          text,
  idempotency_key  text not null,
  body             jsonb not null,
  status           text not null check (status in ('pending', 'delivered', 'refused')),
  attempts         integer not null default 0,
  -- Due for the next attempt; a sender that takes a row pushes this forward (a lease), so a sender
  -- that dies mid-delivery leaves the row to be tried again.
  next_attempt_at  timestamptz not null,
  last_error       text,
  created_at       timestamptz not null,
  delivered_at     timestamptz,
  -- The peer's signed receipt (canonical JSON), kept as proof of delivery.
  receipt          text,
  outbox_id        bigint references outbox (id),
  unique (peer_region, idempotency_key)
);
create index federation_outbox_due_idx on federation_outbox (next_attempt_at) where status = 'pending';
create index federation_outbox_subject_idx on federation_outbox (subject, created_at);

create table federation_inbox (
  id               uuid primary key,
  sender_region    char(6) not null,
  type             text not null,
  subject          text,
  idempotency_key  text not null,
  body             jsonb not null,
  sent_at          timestamptz not null,
  received_at      timestamptz not null,
  -- The receipt answered the first time, answered again to a repeated delivery.
  receipt          text not null,
  outbox_id        bigint references outbox (id),
  unique (sender_region, idempotency_key)
);
create index federation_inbox_subject_idx on federation_inbox (subject, received_at);

-- Nonces of accepted envelopes, kept while an envelope could still be fresh enough to replay.
create table federation_nonces (
  sender_region  char(6) not null,
  nonce          text not null,
  seen_at        timestamptz not null,
  primary key (sender_region, nonce)
);
create index federation_nonces_seen_idx on federation_nonces (seen_at);

-- Witnessing (C2SP tlog-witness): the latest checkpoint of each peer's ledger this node cosigned.
-- A later checkpoint is cosigned only with a consistency proof from this one.
create table federation_witnessed (
  log_region   char(6) primary key,
  origin       text not null,
  tree_size    bigint not null,
  root_hash    bytea not null,
  checkpoint   text not null,
  updated_at   timestamptz not null
);

-- Cosignatures the peers' witnesses gave this node's checkpoints (signed-note signature lines).
create table ledger_cosignatures (
  tree_size       bigint not null,
  witness         text not null,
  signature_line  text not null,
  received_at     timestamptz not null,
  primary key (tree_size, witness)
);
