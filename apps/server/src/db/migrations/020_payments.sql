-- Fees (缴费), online payments, refunds (退费), e-invoices (电子票据, 交易即开票) and their reimbursement
-- (一票一报), and the daily reconciliation with the payment gateway's bill. Amounts are integer fen (分).

-- The fee a case owes, assessed from its service item's fee lines when the case is accepted (受理).
-- Approval waits until it is paid (docs/payments.md).
create table case_fees (
  application_id   uuid primary key references applications (id),
  lines            jsonb not null,
  amount_fen       integer not null check (amount_fen > 0),
  assessed_at      timestamptz not null,
  assessed_by      uuid not null references accounts (id),
  paid_payment_id  uuid
);

-- One payment order per attempt (商户订单号 out_trade_no = number). Two orders of one case both paid at
-- the gateway is possible (two tabs); the second is kept, flagged by the reconciliation, and refunded by staff.
create table payments (
  id               uuid primary key,
  number           text not null unique,
  application_id   uuid not null references applications (id),
  payer_id         uuid not null references accounts (id),
  region_code      char(6) not null,
  department_id    uuid not null references departments (id),
  description      text not null,
  amount_fen       integer not null check (amount_fen > 0),
  -- The sum of refunds requested and not failed: a new refund must fit in amount_fen - reserved_fen.
  reserved_fen     integer not null default 0 check (reserved_fen >= 0 and reserved_fen <= amount_fen),
  refunded_fen     integer not null default 0 check (refunded_fen >= 0 and refunded_fen <= reserved_fen),
  status           text not null check (status in ('pending', 'paid', 'closed')),
  gateway          text not null,
  gateway_txn_id   text,
  pay_url          text,
  created_at       timestamptz not null,
  expires_at       timestamptz not null,
  paid_at          timestamptz,
  closed_at        timestamptz,
  outbox_id        bigint references outbox (id)
);
create index payments_case_idx on payments (application_id);
create index payments_payer_idx on payments (payer_id, created_at desc);
create index payments_pending_idx on payments (created_at) where status = 'pending';
create index payments_paid_at_idx on payments (paid_at);
alter table case_fees add foreign key (paid_payment_id) references payments (id);

-- Refunds (退款单号 out_refund_no = number), by staff with a reason.
create table refunds (
  id               uuid primary key,
  number           text not null unique,
  payment_id       uuid not null references payments (id),
  amount_fen       integer not null check (amount_fen > 0),
  reason           text not null,
  status           text not null check (status in ('processing', 'succeeded', 'failed')),
  failure          text,
  gateway_refund_id text,
  requested_by     uuid not null references accounts (id),
  requested_at     timestamptz not null,
  settled_at       timestamptz,
  idempotency_key  text not null,
  outbox_id        bigint references outbox (id),
  unique (requested_by, idempotency_key)
);
create index refunds_payment_idx on refunds (payment_id);
create index refunds_processing_idx on refunds (requested_at) where status = 'processing';

-- Every notification the gateway sent that verified, once (its id): a duplicate changes nothing.
create table payment_notifications (
  id               text primary key,
  event_type       text not null,
  subject          text not null,
  received_at      timestamptz not null
);

create sequence invoice_number_seq;

-- E-invoices (电子票据): a blue one when a payment settles, a red-letter one (红字) for each refund.
create table invoices (
  id               uuid primary key,
  number           text not null unique,
  kind             text not null check (kind in ('blue', 'red')),
  payment_id       uuid not null references payments (id),
  refund_id        uuid unique references refunds (id),
  original_id      uuid references invoices (id),
  payer_id         uuid not null references accounts (id),
  region_code      char(6) not null,
  department_id    uuid not null references departments (id),
  amount_fen       integer not null check (amount_fen <> 0),
  check_code       char(6) not null,
  document         text not null,
  document_sha256  char(64) not null,
  issued_at        timestamptz not null,
  outbox_id        bigint not null references outbox (id)
);
create unique index invoices_one_blue_per_payment on invoices (payment_id) where kind = 'blue';
create index invoices_payer_idx on invoices (payer_id, issued_at desc);

-- 一票一报: an invoice is reimbursed by one organisation, once. The primary key refuses a second claim.
create table invoice_reimbursements (
  invoice_id         uuid primary key references invoices (id),
  organisation_code  text not null,
  organisation_name  text not null,
  claimed_by         uuid not null references accounts (id),
  reference          text,
  claimed_at         timestamptz not null,
  outbox_id          bigint not null references outbox (id)
);

-- The daily reconciliation (China days): one report per day, its differences as rows.
create table reconciliation_reports (
  day              date primary key,
  generated_at     timestamptz not null,
  generated_by     uuid references accounts (id),
  summary          jsonb not null
);
create table reconciliation_items (
  day              date not null references reconciliation_reports (day) on delete cascade,
  seq              integer not null,
  region_code      char(6),
  kind             text not null,
  reference        text not null,
  local_fen        integer,
  gateway_fen      integer,
  detail           text not null,
  primary key (day, seq)
);
