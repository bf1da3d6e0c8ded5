// Table types for Kysely, mirroring migrations/*.sql (column names in snake_case as in SQL).
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface RegionsTable {
  code: string;
  name: string;
  name_en: string | null;
  created_at: CreatedAt;
}

export interface DepartmentsTable {
  id: string;
  region_code: string;
  code: string;
  name: string;
  name_en: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface AccountsTable {
  id: string;
  kind: "resident" | "enterprise" | "staff";
  username: string;
  name: string;
  phone: string | null;
  id_number: string | null;
  credit_code: string | null;
  region_code: string | null;
  department_id: string | null;
  roles: ColumnType<string[], string[] | undefined, string[]>;
  clearance: ColumnType<string, string | undefined, string>;
  password_hash: string;
  totp_secret: string | null;
  totp_enrolled_at: Timestamp | null;
  totp_last_step: number | null;
  failed_logins: ColumnType<number, number | undefined, number>;
  locked_until: Timestamp | null;
  disabled: ColumnType<boolean, boolean | undefined, boolean>;
  last_login_at: Timestamp | null;
  email: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface SessionsTable {
  id: string;
  account_id: string | null;
  data: ColumnType<unknown, string, string>;
  expires_at: Timestamp;
}

export interface TotpEnrolmentsTable {
  token_hash: string;
  account_id: string;
  secret: string;
  expires_at: Timestamp;
}

export interface OutboxTable {
  id: Generated<string>;
  type: string;
  subject: string;
  actor: string | null;
  at: Timestamp;
  content: ColumnType<unknown, string, string>;
  ledger_idx: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface ServiceVersionsTable {
  id: string;
  code: string;
  version: number;
  region_code: string;
  department_id: string;
  content: ColumnType<unknown, string, string>;
  content_hash: string;
  source: "file" | "console";
  status: "draft" | "published" | "superseded";
  created_by: string | null;
  created_at: Timestamp;
  published_at: Timestamp | null;
}

export interface ServicesTable {
  code: string;
  region_code: string;
  department_id: string;
  version_id: string;
  name: string;
  search_text: string;
  life_events: ColumnType<string[], string[] | undefined, string[]>;
  applicant_kinds: ColumnType<string[], string[] | undefined, string[]>;
}

export interface ApplicationsTable {
  id: string;
  number: string;
  service_code: string;
  service_version_id: string;
  applicant_id: string;
  region_code: string;
  department_id: string;
  classification: ColumnType<string, string | undefined, string>;
  form: ColumnType<Record<string, unknown>, string | undefined, string>;
  status: string;
  step_index: ColumnType<number, number | undefined, number>;
  holder_role: string | null;
  claimed_by: string | null;
  first_contact_id: string | null;
  accepted_on: ColumnType<string | null, string | null | undefined, string | null>;
  due_on: ColumnType<string | null, string | null | undefined, string | null>;
  warn_on: ColumnType<string | null, string | null | undefined, string | null>;
  paused_since: ColumnType<string | null, string | null | undefined, string | null>;
  paused_days: ColumnType<number, number | undefined, number>;
  last_action_seq: ColumnType<number, number | undefined, number>;
  channel: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
  submitted_at: Timestamp | null;
  updated_at: Timestamp;
}

export interface ApplicationActionsTable {
  application_id: string;
  seq: number;
  type: string;
  actor_id: string;
  actor_role: string;
  channel: string;
  place: string | null;
  at: Timestamp;
  payload: ColumnType<Record<string, unknown>, string, string>;
  idempotency_key: string | null;
  outbox_id: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface IdempotentAnswersTable {
  actor_id: string;
  key: string;
  scope: string;
  status: number;
  body: ColumnType<unknown, string, string>;
  created_at: Timestamp;
}

export interface FilesTable {
  sha256: string;
  content_type: string;
  size: number;
  created_at: Timestamp;
}

export interface ApplicationMaterialsTable {
  id: string;
  application_id: string;
  material_code: string;
  file_sha256: string;
  file_name: string;
  content_type: string;
  size: number;
  uploaded_by: string;
  uploaded_at: Timestamp;
  removed_at: Timestamp | null;
}

export interface ApplicationDataMaterialsTable {
  id: string;
  application_id: string;
  material_code: string;
  access_id: string;
  resource_code: string;
  resource_name: string;
  provider_department_name: string;
  fields: ColumnType<{ name: string; label: string }[], string, string>;
  records: ColumnType<Record<string, string | number | boolean | null>[], string, string>;
  consent_at: Timestamp;
  fetched_by: string;
  fetched_at: Timestamp;
  replaced_at: Timestamp | null;
}

export interface NotificationsTable {
  id: string;
  account_id: string;
  application_id: string | null;
  kind: string;
  title: string;
  body: string;
  created_at: Timestamp;
  read_at: Timestamp | null;
}

export interface MessageOutboxTable {
  id: Generated<string>;
  channel: "sms" | "email";
  recipient: string;
  subject: string | null;
  body: string;
  account_id: string | null;
  created_at: Timestamp;
  status: ColumnType<"pending" | "sent" | "failed", "pending" | "sent" | "failed" | undefined>;
  attempts: ColumnType<number, number | undefined>;
  next_attempt_at: Timestamp | null;
  sent_at: Timestamp | null;
  last_error: string | null;
  region_code: string | null;
}

export interface SigningKeysTable {
  account_id: string;
  algorithm: string;
  public_key: string;
  sealed_private_key: string;
  created_at: Timestamp;
}

export interface LedgerEntriesTable {
  idx: number;
  outbox_id: number;
  entry: string;
  leaf_hash: Uint8Array;
  integrated_at: Timestamp;
}

export interface LedgerHashesTable {
  idx: number;
  hash: Uint8Array;
}

export interface LedgerCheckpointsTable {
  tree_size: number;
  root_hash: Uint8Array;
  note: string;
  created_at: Timestamp;
}

export interface DataResourcesTable {
  id: string;
  code: string;
  region_code: string;
  department_id: string;
  name: string;
  name_en: string | null;
  description: string;
  fields: ColumnType<unknown, string, string>;
  sharing_class: "unconditional" | "conditional" | "none";
  legal_basis: ColumnType<unknown, string, string>;
  update_frequency: string;
  access_method: "api" | "dataset";
  key_field: string | null;
  connector: ColumnType<unknown, string, string>;
  search_text: string;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DataPoolRecordsTable {
  resource_id: string;
  record_key: string;
  data: ColumnType<Record<string, unknown>, string, string>;
  updated_at: Timestamp;
}

export interface SharingRequestsTable {
  id: string;
  resource_id: string;
  consumer_department_id: string;
  requested_by: string;
  purpose: string;
  legal_basis: string;
  fields: string[];
  expires_on: ColumnType<string, string, string>;
  status: "pending" | "approved" | "refused";
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_note: string | null;
  created_at: Timestamp;
}

export interface SharingGrantsTable {
  id: string;
  request_id: string | null;
  resource_id: string;
  consumer_department_id: string;
  fields: string[];
  purpose: string;
  legal_basis: string;
  expires_at: Timestamp;
  rate_limit_per_minute: number;
  granted_by: string;
  granted_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
  revoke_reason: string | null;
}

export interface DataAccessesTable {
  id: string;
  at: Timestamp;
  actor_id: string | null;
  consumer_department_id: string | null;
  resource_id: string | null;
  resource_code: string;
  provider_department_id: string | null;
  grant_id: string | null;
  basis: "grant" | "unconditional" | "own" | "consent" | "none";
  purpose: string;
  application_id: string | null;
  fields: ColumnType<string[], string[] | undefined, string[]>;
  subject_refs: ColumnType<string[], string[] | undefined, string[]>;
  outcome: "allowed" | "refused" | "failed";
  error_code: string | null;
  record_count: ColumnType<number, number | undefined, number>;
  answer_hash: string | null;
  outbox_id: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface SecurityEventsTable {
  id: string;
  at: Timestamp;
  type: string;
  severity: "low" | "medium" | "high";
  source: string;
  account_id: string | null;
  region_code: string | null;
  department_id: string | null;
  subject: string | null;
  details: ColumnType<Record<string, unknown>, string, string>;
}

export interface SchemaMigrationsTable {
  version: string;
  applied_at: CreatedAt;
}

export interface FederationOutboxTable {
  id: string;
  peer_region: string;
  type: string;
  subject: string | null;
  idempotency_key: string;
  body: ColumnType<Record<string, unknown>, string, string>;
  status: "pending" | "delivered" | "refused";
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  created_at: Timestamp;
  delivered_at: Timestamp | null;
  receipt: string | null;
  outbox_id: number | null;
}

export interface FederationInboxTable {
  id: string;
  sender_region: string;
  type: string;
  subject: string | null;
  idempotency_key: string;
  body: ColumnType<Record<string, unknown>, string, string>;
  sent_at: Timestamp;
  received_at: Timestamp;
  receipt: string;
  outbox_id: number | null;
}

export interface FederationNoncesTable {
  sender_region: string;
  nonce: string;
  seen_at: Timestamp;
}

export interface FederationWitnessedTable {
  log_region: string;
  origin: string;
  tree_size: ColumnType<number, number, number>;
  root_hash: Uint8Array;
  checkpoint: string;
  updated_at: Timestamp;
}

export interface FederatedCasesTable {
  id: string;
  role: "origin" | "competent";
  mode: "online" | "remote_acceptance" | "joint";
  number: string;
  origin_region: string;
  competent_region: string;
  service_code: string;
  service_name: string;
  applicant_id: string | null;
  applicant_identifier: ColumnType<string | null, string | null | undefined, string | null>;
  application_id: string | null;
  competent_number: string | null;
  status: string;
  step: string | null;
  timeline: ColumnType<Record<string, unknown>[], string | undefined, string>;
  last_seq: ColumnType<number, number | undefined, number>;
  refusal: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  received_by: ColumnType<string | null, string | null | undefined, string | null>;
  receiving_department_id: ColumnType<string | null, string | null | undefined, string | null>;
  reception: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  delivery: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  joint_steps: ColumnType<Record<string, unknown>[] | null, string | null | undefined, string | null>;
  joint_case_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FederatedJointStepsTable {
  joint_case_id: string;
  position: number;
  key: string;
  name: string;
  region_code: string;
  service_code: string;
  step_case_id: string;
  application_id: string | null;
  number: string | null;
  status: string;
  last_seq: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LedgerCosignaturesTable {
  tree_size: ColumnType<number, number, number>;
  witness: string;
  signature_line: string;
  received_at: Timestamp;
}

export interface CertificatesTable {
  id: string;
  number: string;
  type: string;
  name: string;
  holder_id: string;
  application_id: string | null;
  service_code: string;
  region_code: string;
  department_id: string;
  credential: string;
  credential_sha256: string;
  status: "valid" | "revoked" | "superseded";
  status_reason: string | null;
  status_changed_at: Timestamp | null;
  status_changed_by: string | null;
  superseded_by: string | null;
  issued_at: Timestamp;
  valid_until: Timestamp | null;
  outbox_id: ColumnType<number, number, number>;
  status_outbox_id: ColumnType<number | null, number | null | undefined, number | null>;
  pdf_sha256: string | null;
  pdf_outbox_id: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface CertificateVerificationsTable {
  id: string;
  certificate_id: string;
  at: Timestamp;
  method: "qr" | "json" | "pdf" | "number";
  valid: boolean;
  outcome: string;
  verifier_id: string | null;
}

export interface ApplicationCertificateMaterialsTable {
  id: string;
  application_id: string;
  material_code: string;
  certificate_id: string;
  attached_by: string;
  attached_at: Timestamp;
  replaced_at: Timestamp | null;
}

export interface EnquiriesTable {
  id: string;
  number: string;
  region_code: string;
  department_id: string;
  service_code: string | null;
  asker_id: string;
  subject: string;
  status: "open" | "answered" | "closed";
  first_contact_id: string | null;
  first_contact_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface EnquiryMessagesTable {
  id: string;
  seq: Generated<string>;
  enquiry_id: string;
  author_id: string;
  author_role: "asker" | "staff";
  body: string;
  at: Timestamp;
}

export interface CaseFeesTable {
  application_id: string;
  lines: ColumnType<FeeLineRow[], string, string>;
  amount_fen: number;
  assessed_at: Timestamp;
  assessed_by: string;
  paid_payment_id: string | null;
}
export interface FeeLineRow {
  name: string;
  basis: string;
  unitFen: number;
  quantity: number;
  amountFen: number;
}

export interface PaymentsTable {
  id: string;
  number: string;
  application_id: string;
  payer_id: string;
  region_code: string;
  department_id: string;
  description: string;
  amount_fen: number;
  reserved_fen: ColumnType<number, number | undefined, number>;
  refunded_fen: ColumnType<number, number | undefined, number>;
  status: "pending" | "paid" | "closed";
  gateway: string;
  gateway_txn_id: string | null;
  pay_url: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  paid_at: Timestamp | null;
  closed_at: Timestamp | null;
  outbox_id: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface RefundsTable {
  id: string;
  number: string;
  payment_id: string;
  amount_fen: number;
  reason: string;
  status: "processing" | "succeeded" | "failed";
  failure: string | null;
  gateway_refund_id: string | null;
  requested_by: string;
  requested_at: Timestamp;
  settled_at: Timestamp | null;
  idempotency_key: string;
  outbox_id: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface PaymentNotificationsTable {
  id: string;
  event_type: string;
  subject: string;
  received_at: Timestamp;
}

export interface InvoicesTable {
  id: string;
  number: string;
  kind: "blue" | "red";
  payment_id: string;
  refund_id: string | null;
  original_id: string | null;
  payer_id: string;
  region_code: string;
  department_id: string;
  amount_fen: number;
  check_code: string;
  document: string;
  document_sha256: string;
  issued_at: Timestamp;
  outbox_id: number;
}

export interface InvoiceReimbursementsTable {
  invoice_id: string;
  organisation_code: string;
  organisation_name: string;
  claimed_by: string;
  reference: string | null;
  claimed_at: Timestamp;
  outbox_id: number;
}

export interface ReconciliationReportsTable {
  day: ColumnType<string, string, string>;
  generated_at: Timestamp;
  generated_by: string | null;
  summary: ColumnType<Record<string, unknown>, string, string>;
}

export interface ReconciliationItemsTable {
  day: ColumnType<string, string, string>;
  seq: number;
  region_code: string | null;
  kind: string;
  reference: string;
  local_fen: number | null;
  gateway_fen: number | null;
  detail: string;
}

export interface DB {
  enquiries: EnquiriesTable;
  enquiry_messages: EnquiryMessagesTable;
  regions: RegionsTable;
  departments: DepartmentsTable;
  accounts: AccountsTable;
  sessions: SessionsTable;
  totp_enrolments: TotpEnrolmentsTable;
  outbox: OutboxTable;
  schema_migrations: SchemaMigrationsTable;
  service_versions: ServiceVersionsTable;
  services: ServicesTable;
  applications: ApplicationsTable;
  application_actions: ApplicationActionsTable;
  idempotent_answers: IdempotentAnswersTable;
  files: FilesTable;
  application_materials: ApplicationMaterialsTable;
  application_data_materials: ApplicationDataMaterialsTable;
  notifications: NotificationsTable;
  message_outbox: MessageOutboxTable;
  signing_keys: SigningKeysTable;
  ledger_entries: LedgerEntriesTable;
  ledger_hashes: LedgerHashesTable;
  ledger_checkpoints: LedgerCheckpointsTable;
  data_resources: DataResourcesTable;
  data_pool_records: DataPoolRecordsTable;
  sharing_requests: SharingRequestsTable;
  sharing_grants: SharingGrantsTable;
  data_accesses: DataAccessesTable;
  security_events: SecurityEventsTable;
  federation_outbox: FederationOutboxTable;
  federation_inbox: FederationInboxTable;
  federation_nonces: FederationNoncesTable;
  federation_witnessed: FederationWitnessedTable;
  ledger_cosignatures: LedgerCosignaturesTable;
  federated_cases: FederatedCasesTable;
  federated_joint_steps: FederatedJointStepsTable;
  certificates: CertificatesTable;
  certificate_verifications: CertificateVerificationsTable;
  application_certificate_materials: ApplicationCertificateMaterialsTable;
  case_fees: CaseFeesTable;
  payments: PaymentsTable;
  refunds: RefundsTable;
  payment_notifications: PaymentNotificationsTable;
  invoices: InvoicesTable;
  invoice_reimbursements: InvoiceReimbursementsTable;
  reconciliation_reports: ReconciliationReportsTable;
  reconciliation_items: ReconciliationItemsTable;
}

export type AccountRow = Selectable<AccountsTable>;
export type NewAccount = Insertable<AccountsTable>;
export type AccountUpdate = Updateable<AccountsTable>;
export type DepartmentRow = Selectable<DepartmentsTable>;
