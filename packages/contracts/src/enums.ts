import { z } from "zod";

export const AccountKind = z.enum(["resident", "enterprise", "staff"]);
export type AccountKind = z.infer<typeof AccountKind>;

/** Staff roles (PRODUCT.md, "Who uses it"). */
export const StaffRole = z.enum(["window", "handling", "data_steward", "supervisor", "security_officer", "admin"]);
export type StaffRole = z.infer<typeof StaffRole>;

/** Information classification, ordered from least to most protected: 公开 < 内部 < 秘密 < 机密. */
export const Classification = z.enum(["public", "internal", "secret", "confidential"]);
export type Classification = z.infer<typeof Classification>;

export const classificationRank: Record<Classification, number> = {
  public: 0,
  internal: 1,
  secret: 2,
  confidential: 3,
};
