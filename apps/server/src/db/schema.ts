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
}

export interface SchemaMigrationsTable {
  version: string;
  applied_at: CreatedAt;
}

export interface DB {
  regions: RegionsTable;
  departments: DepartmentsTable;
  accounts: AccountsTable;
  sessions: SessionsTable;
  totp_enrolments: TotpEnrolmentsTable;
  outbox: OutboxTable;
  schema_migrations: SchemaMigrationsTable;
}

export type AccountRow = Selectable<AccountsTable>;
export type NewAccount = Insertable<AccountsTable>;
export type AccountUpdate = Updateable<AccountsTable>;
export type DepartmentRow = Selectable<DepartmentsTable>;
