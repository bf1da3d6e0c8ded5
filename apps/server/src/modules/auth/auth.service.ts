import type { LoginRequest, TotpEnrolment } from "@tongban/contracts";
import type { Db } from "../../db/database.ts";
import { AppError } from "../../http/errors.ts";
import type { Clock, Ids } from "../../ports/index.ts";
import type { AccountWithPlace } from "../accounts/accounts.repository.ts";
import type { AccountsService } from "../accounts/accounts.service.ts";
import { digest, authRepository as repo } from "./auth.repository.ts";
import { checkTotp, newTotpSecret, spendPasswordTime, totpQrSvg, totpUri, verifyPassword } from "./credentials.ts";

const ENROLMENT_MINUTES = 10;

export interface LoginPolicy {
  lockoutThreshold: number;
  lockoutMinutes: number;
  issuer: string;
}

export function createAuthService(deps: {
  db: Db;
  clock: Clock;
  ids: Ids;
  accounts: AccountsService;
  policy: LoginPolicy;
}) {
  const { db, clock, ids, accounts, policy } = deps;
  const lockPolicy = { threshold: policy.lockoutThreshold, lockMinutes: policy.lockoutMinutes };

  async function failAndThrow(row: AccountWithPlace, code: "INVALID_CREDENTIALS" | "TOTP_INVALID"): Promise<never> {
    const result = await accounts.recordLoginFailure(row.id, lockPolicy);
    if (result.locked) throw new AppError("ACCOUNT_LOCKED", { lockedUntil: result.lockedUntil.toISOString() });
    throw new AppError(code, { attemptsLeft: result.attemptsLeft });
  }

  async function startEnrolment(row: AccountWithPlace): Promise<TotpEnrolment> {
    const secret = newTotpSecret();
    const token = ids.token();
    const expiresAt = new Date(clock.now().getTime() + ENROLMENT_MINUTES * 60_000);
    await repo.saveEnrolment(db, { token_hash: digest(token), account_id: row.id, secret, expires_at: expiresAt });
    const otpauthUri = totpUri(secret, row.username, policy.issuer);
    return {
      enrolmentToken: token,
      otpauthUri,
      secret,
      qrSvg: await totpQrSvg(otpauthUri),
      expiresAt: expiresAt.toISOString(),
    };
  }

  return {
    /**
     * Checks the password (and for staff the authenticator code) and answers the account.
     * Wrong inputs count toward the lock; an unknown account costs the same time as a wrong password.
     */
    async login(input: LoginRequest): Promise<AccountWithPlace> {
      const row = await accounts.findByUsername(input.username);
      if (!row) {
        await spendPasswordTime(input.password);
        throw new AppError("INVALID_CREDENTIALS");
      }
      const now = clock.now();
      if (row.locked_until && row.locked_until > now) {
        throw new AppError("ACCOUNT_LOCKED", { lockedUntil: row.locked_until.toISOString() });
      }
      if (!(await verifyPassword(row.password_hash, input.password))) return failAndThrow(row, "INVALID_CREDENTIALS");
      if (row.disabled) throw new AppError("ACCOUNT_DISABLED");
      if (row.kind !== "staff") {
        await accounts.recordLoginSuccess(row);
        return row;
      }
      if (!row.totp_secret || !row.totp_enrolled_at) {
        throw new AppError("TOTP_ENROLMENT_REQUIRED", await startEnrolment(row));
      }
      if (!input.totp) throw new AppError("TOTP_REQUIRED");
      const step = await checkTotp(row.totp_secret, input.totp, now, row.totp_last_step);
      if (step === undefined) return failAndThrow(row, "TOTP_INVALID");
      await accounts.recordLoginSuccess(row, step);
      return row;
    },

    /** Confirms a pending enrolment with a first code from the app, then logs the staff member in. */
    async completeEnrolment(enrolmentToken: string, totp: string): Promise<AccountWithPlace> {
      const enrolment = await repo.findEnrolment(db, digest(enrolmentToken));
      const now = clock.now();
      if (!enrolment || enrolment.expires_at <= now) throw new AppError("ENROLMENT_EXPIRED");
      const row = await accounts.findById(enrolment.account_id);
      if (!row || row.disabled) throw new AppError("ACCOUNT_DISABLED");
      const step = await checkTotp(enrolment.secret, totp, now, null);
      if (step === undefined) throw new AppError("TOTP_INVALID", { field: "totp" });
      await accounts.completeTotpEnrolment(row.id, enrolment.secret, step);
      await repo.deleteEnrolments(db, row.id);
      await accounts.recordLoginSuccess(row);
      return (await accounts.findById(row.id)) as AccountWithPlace;
    },

    deleteExpiredSessions: () => repo.deleteExpiredSessions(db, clock.now()),
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
