-- Foundation: regions served by this node, departments, accounts, sessions, and the outbox
-- from which the ledger sequencer will integrate every state change.

create table regions (
  code        char(6) primary key,
  name        text not null,
  name_en     text,
  created_at  timestamptz not null default now()
);

create table departments (
  id          uuid primary key,
  region_code char(6) not null references regions (code),
  code        text not null,
  name        text not null,
  name_en     text,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  unique (region_code, code)
);

create table accounts (
  id                uuid primary key,
  kind              text not null check (kind in ('resident', 'enterprise', 'staff')),
  username          text not null unique,
  name              text not null,
  phone             text,
  id_number         text unique,
  credit_code       text unique,
  region_code       char(6) references regions (code),
  department_id     uuid references departments (id),
  roles             text[] not null default '{}',
  clearance         text not null default 'public'
                    check (clearance in ('public', 'internal', 'secret', 'confidential')),
  password_hash     text not null,
  totp_secret       text,
  totp_enrolled_at  timestamptz,
  -- The last accepted TOTP time step: a code is accepted once (RFC 6238 §5.2).
  totp_last_step    bigint,
  failed_logins     integer not null default 0,
  locked_until      timestamptz,
  disabled          boolean not null default false,
  last_login_at     timestamptz,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  check ((kind = 'staff') = (department_id is not null)),
  check ((kind = 'resident') = (id_number is not null)),
  check ((kind = 'enterprise') = (credit_code is not null))
);
create index accounts_department_idx on accounts (department_id);

-- Sessions are keyed by the SHA-256 of the session id, so a copy of this table opens no session.
create table sessions (
  id          text primary key,
  account_id  uuid references accounts (id) on delete cascade,
  data        jsonb not null,
  expires_at  timestamptz not null
);
create index sessions_expiry_idx on sessions (expires_at);
create index sessions_account_idx on sessions (account_id);

-- A staff member's pending authenticator enrolment, keyed by the SHA-256 of its token.
create table totp_enrolments (
  token_hash  text primary key,
  account_id  uuid not null references accounts (id) on delete cascade,
  secret      text not null,
  expires_at  timestamptz not null
);

-- Every state change appends one row here in the same transaction as the change.
create table outbox (
  id          bigserial primary key,
  type        text not null,
  subject     text not null,
  actor       text,
  at          timestamptz not null,
  content     jsonb not null
);
