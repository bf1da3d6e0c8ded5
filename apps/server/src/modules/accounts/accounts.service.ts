import type {
  Classification,
  CreateStaff,
  CurrentUser,
  RegisterRequest,
  StaffAccount,
  StaffQuery,
  StaffRole,
  UpdateStaff,
} from "@tongban/contracts";
import type { Db } from "../../db/database.ts";
import type { AccountUpdate } from "../../db/schema.ts";
import { AppError, fieldError } from "../../http/errors.ts";
import { type Actor, authorize } from "../../policy/policy.ts";
import type { Clock, Ids } from "../../ports/index.ts";
import type { AuthCache } from "../auth/auth-cache.ts";
import { hashPassword } from "../auth/credentials.ts";
import type { DepartmentsService } from "../departments/departments.service.ts";
import { recordChange, recordChanges } from "../ledger/outbox.ts";
import { type AccountWithPlace, accountsRepository as repo } from "./accounts.repository.ts";

/** The row of a resident's or enterprise's account: the identifier is also the username. */
function applicantAccount(a: {
  id: string;
  kind: "resident" | "enterprise";
  identifier: string;
  name: string;
  phone: string | null;
  email: string | null;
  passwordHash: string;
  now: Date;
}) {
  return {
    id: a.id,
    kind: a.kind,
    username: a.identifier,
    name: a.name,
    phone: a.phone,
    email: a.email,
    id_number: a.kind === "resident" ? a.identifier : null,
    credit_code: a.kind === "enterprise" ? a.identifier : null,
    region_code: null,
    department_id: null,
    password_hash: a.passwordHash,
    totp_secret: null,
    totp_enrolled_at: null,
    totp_last_step: null,
    locked_until: null,
    last_login_at: null,
    created_at: a.now,
    updated_at: a.now,
  };
}

export function maskIdentifier(value: string): string {
  return `${value.slice(0, 4)}${"*".repeat(value.length - 8)}${value.slice(-4)}`;
}

export function toActor(row: AccountWithPlace): Actor {
  return {
    accountId: row.id,
    kind: row.kind,
    roles: row.roles as StaffRole[],
    regionCode: row.region_code,
    departmentId: row.department_id,
    clearance: row.clearance as Classification,
  };
}

export function toCurrentUser(row: AccountWithPlace): CurrentUser {
  const identifier = row.id_number ?? row.credit_code;
  return {
    id: row.id,
    kind: row.kind,
    username: row.username,
    name: row.name,
    phone: row.phone,
    email: row.email,
    roles: row.roles as StaffRole[],
    clearance: row.clearance as Classification,
    regionCode: row.region_code,
    regionName: row.region_name,
    departmentId: row.department_id,
    departmentName: row.department_name,
    maskedIdentifier: identifier ? maskIdentifier(identifier) : null,
  };
}

function toStaffAccount(row: AccountWithPlace, now: Date): StaffAccount {
  const locked = row.locked_until && row.locked_until > now ? row.locked_until.toISOString() : null;
  return {
    id: row.id,
    username: row.username,
    name: row.name,
    phone: row.phone,
    regionCode: row.region_code ?? "",
    departmentId: row.department_id ?? "",
    departmentName: row.department_name ?? "",
    roles: row.roles as StaffRole[],
    clearance: row.clearance as Classification,
    totpEnrolled: row.totp_enrolled_at !== null,
    disabled: row.disabled,
    lockedUntil: locked,
    createdAt: row.created_at.toISOString(),
  };
}

/** Usernames are the ID number or credit code (upper case) or the staff account (lower case). */
export function normaliseUsername(raw: string): string {
  const value = raw.trim();
  return /^[0-9A-Za-z]{18}$/.test(value) ? value.toUpperCase() : value.toLowerCase();
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "23505";
}

export interface AccountsDeps {
  db: Db;
  clock: Clock;
  ids: Ids;
  departments: DepartmentsService;
  /** Where authenticated requests find accounts and sessions; every account change clears it. */
  cache?: AuthCache;
}

export function createAccountsService({ db, clock, ids, departments, cache }: AccountsDeps) {
  async function requireStaff(id: string): Promise<AccountWithPlace> {
    const row = await repo.findById(db, id);
    if (row?.kind !== "staff") throw new AppError("USER_NOT_FOUND", { id });
    return row;
  }

  // One hash of a secret nobody keeps, shared by every account made for a handed-over case.
  let unusablePasswordHash: Promise<string> | undefined;

  return {
    findByUsername: (username: string) => repo.findByUsername(db, normaliseUsername(username)),
    findById: (id: string) => repo.findById(db, id),

    /** The account behind a session, from the authentication cache when it is fresh. */
    async findForSession(id: string): Promise<AccountWithPlace | undefined> {
      const known = cache?.account(id);
      if (known) return known;
      const row = await repo.findById(db, id);
      if (row) cache?.rememberAccount(row);
      return row;
    },

    /** Creates a resident or enterprise account; the identifier becomes the username. */
    async register(input: RegisterRequest): Promise<AccountWithPlace> {
      const identifierField = input.kind === "resident" ? "idNumber" : "creditCode";
      const username = input.kind === "resident" ? input.idNumber : input.creditCode;
      const duplicate = () =>
        fieldError([
          {
            field: identifierField,
            reason: "ACCOUNT_EXISTS",
            message: "An account with this number already exists; log in instead",
          },
        ]);
      if (await repo.usernameTaken(db, username)) throw duplicate();
      const id = ids.uuid();
      const passwordHash = await hashPassword(input.password);
      const now = clock.now();
      try {
        await db.transaction().execute(async (trx) => {
          await repo.insert(
            trx,
            applicantAccount({
              id,
              kind: input.kind,
              identifier: username,
              name: input.name,
              phone: input.phone,
              email: input.email ?? null,
              passwordHash,
              now,
            }),
          );
          await recordChange(trx, {
            type: "account.registered",
            subject: id,
            actor: id,
            at: now,
            facts: { kind: input.kind },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw duplicate();
        throw error;
      }
      return (await repo.findById(db, id)) as AccountWithPlace;
    },

    /**
     * The account of a resident or enterprise whose case another node handed over (跨省通办), made in
     * the caller's transaction when this node has none: the identifier is its username and its
     * password a random secret nobody holds: the person follows the case from the node they applied
     * at, which proved who they are (registering here cannot take the account over: it would hand the
     * case to whoever typed the number first). An account of the other kind with the same identifier
     * is refused. Answers the account's id.
     */
    async ensureApplicant(
      trx: Db,
      person: { kind: "resident" | "enterprise"; identifier: string; name: string; phone: string | null },
    ): Promise<string> {
      const known = await repo.findByUsername(trx, normaliseUsername(person.identifier));
      if (known && known.kind !== person.kind)
        throw new AppError("FEDERATION_MESSAGE_REFUSED", {
          reason: `the account ${person.identifier} here is not of a ${person.kind}`,
        });
      if (known) return known.id;
      const id = ids.uuid();
      const now = clock.now();
      unusablePasswordHash ??= hashPassword(ids.token(32));
      await repo.insert(
        trx,
        applicantAccount({
          id,
          kind: person.kind,
          identifier: normaliseUsername(person.identifier),
          name: person.name,
          phone: person.phone,
          email: null,
          passwordHash: await unusablePasswordHash,
          now,
        }),
      );
      await recordChange(trx, {
        type: "account.federated",
        subject: id,
        actor: null,
        at: now,
        facts: { kind: person.kind },
      });
      return id;
    },

    /**
     * `ensureApplicant` for several people at once (a batch of hand-overs), in three statements at
     * most: one read for all, the missing accounts in one insert and their ledger entries in one.
     * Answers each person's account id, in order; a person named twice gets one account. Refuses
     * (FEDERATION_MESSAGE_REFUSED) when any identifier belongs to an account of the other kind.
     */
    async ensureApplicants(
      trx: Db,
      people: { kind: "resident" | "enterprise"; identifier: string; name: string; phone: string | null }[],
    ): Promise<string[]> {
      const usernames = people.map((p) => normaliseUsername(p.identifier));
      const known = new Map(
        (await repo.findKindsByUsernames(trx, [...new Set(usernames)])).map((a) => [a.username, a] as const),
      );
      const now = clock.now();
      const made: Parameters<typeof repo.insertMany>[1] = [];
      const ids_: string[] = [];
      for (const [i, person] of people.entries()) {
        const username = usernames[i] as string;
        const account = known.get(username);
        if (account && account.kind !== person.kind)
          throw new AppError("FEDERATION_MESSAGE_REFUSED", {
            reason: `the account ${person.identifier} here is not of a ${person.kind}`,
          });
        if (account) {
          ids_.push(account.id);
          continue;
        }
        const id = ids.uuid();
        unusablePasswordHash ??= hashPassword(ids.token(32));
        made.push(
          applicantAccount({
            id,
            kind: person.kind,
            identifier: username,
            name: person.name,
            phone: person.phone,
            email: null,
            passwordHash: await unusablePasswordHash,
            now,
          }),
        );
        known.set(username, { id, kind: person.kind, username });
        ids_.push(id);
      }
      if (made.length > 0) {
        await repo.insertMany(trx, made);
        await recordChanges(
          trx,
          made.map((account) => ({
            type: "account.federated",
            subject: account.id,
            actor: null,
            at: now,
            facts: { kind: account.kind },
          })),
        );
      }
      return ids_;
    },

    /**
     * Counts one failed login under a row lock; at the threshold the account locks for a while.
     * Answers whether the account is now locked and how many attempts are left.
     */
    async recordLoginFailure(id: string, policy: { threshold: number; lockMinutes: number }) {
      const now = clock.now();
      return db
        .transaction()
        .execute(async (trx) => {
          const row = await repo.lockById(trx, id);
          if (!row) throw new AppError("USER_NOT_FOUND", { id });
          const failures = row.failed_logins + 1;
          if (failures >= policy.threshold) {
            const lockedUntil = new Date(now.getTime() + policy.lockMinutes * 60_000);
            await repo.update(trx, id, { failed_logins: 0, locked_until: lockedUntil, updated_at: now });
            await recordChange(trx, {
              type: "account.locked",
              subject: id,
              actor: null,
              at: now,
              facts: { until: lockedUntil.toISOString() },
            });
            return { locked: true as const, lockedUntil, attemptsLeft: 0 };
          }
          await repo.update(trx, id, { failed_logins: failures, updated_at: now });
          return { locked: false as const, attemptsLeft: policy.threshold - failures };
        })
        .finally(() => cache?.forgetAccount(id));
    },

    /** Resets the failure count; for staff, records the login in the ledger outbox. */
    async recordLoginSuccess(row: AccountWithPlace, totpStep?: number) {
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await repo.update(trx, row.id, {
          failed_logins: 0,
          locked_until: null,
          last_login_at: now,
          ...(totpStep !== undefined ? { totp_last_step: totpStep } : {}),
        });
        if (row.kind === "staff") {
          await recordChange(trx, {
            type: "staff.login",
            subject: row.id,
            actor: row.id,
            at: now,
            facts: { departmentId: row.department_id },
          });
        }
      });
      cache?.forgetAccount(row.id);
    },

    async completeTotpEnrolment(id: string, secret: string, step: number) {
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await repo.update(trx, id, {
          totp_secret: secret,
          totp_enrolled_at: now,
          totp_last_step: step,
          updated_at: now,
        });
        await recordChange(trx, { type: "staff.totp_enrolled", subject: id, actor: id, at: now });
      });
      cache?.forgetAccount(id);
    },

    async listStaff(actor: Actor, query: StaffQuery): Promise<StaffAccount[]> {
      const regionCode = query.regionCode ?? actor.regionCode ?? "";
      authorize(actor, "staff.list", { regionCode });
      const rows = await repo.listStaff(db, { regionCode, ...query });
      const now = clock.now();
      return rows.map((row) => toStaffAccount(row, now));
    },

    async getStaff(actor: Actor, id: string): Promise<StaffAccount> {
      const row = await requireStaff(id);
      authorize(actor, "staff.list", { regionCode: row.region_code });
      return toStaffAccount(row, clock.now());
    },

    async createStaff(actor: Actor, input: CreateStaff): Promise<StaffAccount> {
      const department = await departments.requireById(input.departmentId, "departmentId");
      authorize(actor, "staff.manage", { regionCode: department.regionCode });
      const duplicate = () =>
        fieldError([{ field: "username", reason: "ACCOUNT_EXISTS", message: "This account name is already taken" }]);
      if (await repo.usernameTaken(db, input.username)) throw duplicate();
      const id = ids.uuid();
      const now = clock.now();
      const passwordHash = await hashPassword(input.password);
      try {
        await db.transaction().execute(async (trx) => {
          await repo.insert(trx, {
            id,
            kind: "staff",
            username: input.username,
            name: input.name,
            phone: input.phone ?? null,
            id_number: null,
            credit_code: null,
            region_code: department.regionCode,
            department_id: department.id,
            roles: input.roles,
            clearance: input.clearance,
            password_hash: passwordHash,
            totp_secret: null,
            totp_enrolled_at: null,
            totp_last_step: null,
            locked_until: null,
            last_login_at: null,
            created_at: now,
            updated_at: now,
          });
          await recordChange(trx, {
            type: "staff.created",
            subject: id,
            actor: actor.accountId,
            at: now,
            facts: { departmentId: department.id, roles: input.roles, clearance: input.clearance },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw duplicate();
        throw error;
      }
      return this.getStaff(actor, id);
    },

    async updateStaff(actor: Actor, id: string, input: UpdateStaff): Promise<StaffAccount> {
      const current = await requireStaff(id);
      authorize(actor, "staff.manage", { regionCode: current.region_code });
      const changes: AccountUpdate = {};
      if (input.departmentId !== undefined && input.departmentId !== current.department_id) {
        const department = await departments.requireById(input.departmentId, "departmentId");
        // Moving staff to another region would take them out of this administrator's reach.
        authorize(actor, "staff.manage", { regionCode: department.regionCode });
        changes.department_id = department.id;
        changes.region_code = department.regionCode;
      }
      if (input.name !== undefined) changes.name = input.name;
      if (input.phone !== undefined) changes.phone = input.phone;
      if (input.roles !== undefined) changes.roles = input.roles;
      if (input.clearance !== undefined) changes.clearance = input.clearance;
      if (input.disabled !== undefined) changes.disabled = input.disabled;
      if (input.unlock) {
        changes.locked_until = null;
        changes.failed_logins = 0;
      }
      if (input.resetTotp) {
        changes.totp_secret = null;
        changes.totp_enrolled_at = null;
        changes.totp_last_step = null;
      }
      if (input.password !== undefined) changes.password_hash = await hashPassword(input.password);

      const losesAdmin =
        (input.roles !== undefined && !input.roles.includes("admin")) ||
        input.disabled === true ||
        changes.region_code !== undefined;
      if (losesAdmin && current.roles.includes("admin") && current.region_code) {
        if ((await repo.countActiveAdmins(db, current.region_code, id)) === 0) throw new AppError("LAST_ADMINISTRATOR");
      }
      const now = clock.now();
      changes.updated_at = now;
      const endsSessions = input.disabled === true || input.password !== undefined || input.resetTotp === true;
      await db.transaction().execute(async (trx) => {
        await repo.update(trx, id, changes);
        if (endsSessions) await repo.endSessions(trx, id);
        await recordChange(trx, {
          type: "staff.updated",
          subject: id,
          actor: actor.accountId,
          at: now,
          facts: { fields: Object.keys(input).sort() },
        });
      });
      // Roles, department, clearance or a disabled flag change what this account may do: now.
      cache?.forgetAccount(id);
      return this.getStaff(actor, id);
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
