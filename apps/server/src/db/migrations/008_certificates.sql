-- E-certificates (电子证照): each is a W3C Verifiable Credential the node signs when a case of a
-- certifying service is approved, kept exactly as issued. Its status (valid, revoked, superseded)
-- lives here, not in the credential; every change of it is a ledger entry (outbox_id columns).

create sequence certificate_number_seq;

create table certificates (
  id                 uuid primary key,
  number             text not null unique,
  type               text not null,
  name               text not null,
  holder_id          uuid not null references accounts (id),
  application_id     uuid unique references applications (id),
  service_code       text not null,
  region_code        char(6) not null,
  department_id      uuid not null references departments (id),
  -- The credential as issued (its canonical JSON, proof included) and its SHA-256.
  credential         text not null,
  credential_sha256  char(64) not null,
  status             text not null check (status in ('valid', 'revoked', 'superseded')),
  status_reason      text,
  status_changed_at  timestamptz,
  status_changed_by  uuid references accounts (id),
  superseded_by      uuid references certificates (id),
  issued_at          timestamptz not null,
  valid_until        timestamptz,
  outbox_id          bigint not null references outbox (id),
  status_outbox_id   bigint references outbox (id),
  -- The printable PDF, rendered once on first download and kept in the file store.
  pdf_sha256         char(64),
  pdf_outbox_id      bigint references outbox (id)
);
create index certificates_holder_idx on certificates (holder_id, issued_at desc);
create index certificates_holder_type_idx on certificates (holder_id, type) where status = 'valid';

-- Every verification of a certificate the node answered, shown to its holder.
create table certificate_verifications (
  id              uuid primary key,
  certificate_id  uuid not null references certificates (id),
  at              timestamptz not null,
  method          text not null check (method in ('qr', 'json', 'pdf', 'number')),
  valid           boolean not null,
  -- valid, revoked, superseded, altered, untrusted, expired …: the first check that failed.
  outcome         text not null,
  -- The verifier's account when logged in (an organisation's staff, the holder), else null.
  verifier_id     uuid references accounts (id)
);
create index certificate_verifications_certificate_idx on certificate_verifications (certificate_id, at desc);

-- 证照免提交: a material of a case satisfied by one of the applicant's certificates.
create table application_certificate_materials (
  id              uuid primary key,
  application_id  uuid not null references applications (id),
  material_code   text not null,
  certificate_id  uuid not null references certificates (id),
  attached_by     uuid not null references accounts (id),
  attached_at     timestamptz not null,
  replaced_at     timestamptz
);
create unique index application_certificate_materials_current_idx
  on application_certificate_materials (application_id, material_code) where replaced_at is null;
