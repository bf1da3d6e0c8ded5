import { z } from "zod";

/**
 * The one registry of error codes. Every error the API answers carries one of these codes;
 * the web branches on the code, never on the message.
 */
export const errorRegistry = {
  VALIDATION_FAILED: { status: 400, message: "Some fields are not valid" },
  BAD_REQUEST: { status: 400, message: "The request could not be understood" },
  UNAUTHENTICATED: { status: 401, message: "Please log in first" },
  INVALID_CREDENTIALS: { status: 401, message: "The account or password is wrong" },
  TOTP_REQUIRED: { status: 401, message: "A one-time code from the authenticator app is required" },
  TOTP_INVALID: { status: 401, message: "The one-time code is wrong or has expired" },
  TOTP_ENROLMENT_REQUIRED: {
    status: 403,
    message: "Staff must enrol an authenticator app before the first login",
  },
  ENROLMENT_EXPIRED: { status: 401, message: "The enrolment has expired; log in again" },
  ACCOUNT_LOCKED: {
    status: 423,
    message: "The account is locked after repeated failed logins; try again later",
  },
  ACCOUNT_DISABLED: { status: 403, message: "The account is disabled" },
  CSRF_INVALID: { status: 403, message: "The request lacks a valid CSRF token" },
  FORBIDDEN: { status: 403, message: "You are not allowed to do this" },
  NOT_FOUND: { status: 404, message: "Nothing is here" },
  REGION_NOT_FOUND: { status: 404, message: "The region does not exist" },
  DEPARTMENT_NOT_FOUND: { status: 404, message: "The department does not exist" },
  USER_NOT_FOUND: { status: 404, message: "The account does not exist" },
  SERVICE_NOT_FOUND: { status: 404, message: "The service does not exist" },
  APPLICATION_NOT_FOUND: { status: 404, message: "The application does not exist" },
  LEDGER_ENTRY_NOT_FOUND: { status: 404, message: "No such ledger entry in the latest checkpoint" },
  FILE_NOT_FOUND: { status: 404, message: "The file does not exist" },
  ACTION_NOT_ALLOWED: { status: 409, message: "This action is not allowed in the application's current state" },
  IDEMPOTENCY_KEY_REUSED: { status: 422, message: "This Idempotency-Key was already used for a different request" },
  ACCOUNT_EXISTS: { status: 409, message: "An account with this identifier already exists" },
  DEPARTMENT_EXISTS: { status: 409, message: "A department with this code already exists here" },
  DEPARTMENT_NOT_EMPTY: {
    status: 409,
    message: "The department still has staff accounts; move or disable them first",
  },
  LAST_ADMINISTRATOR: {
    status: 409,
    message: "This would leave the region without an active administrator",
  },
  ENQUIRY_NOT_FOUND: { status: 404, message: "The enquiry does not exist" },
  ENQUIRY_CLOSED: { status: 409, message: "The enquiry is closed" },
  ENQUIRY_OTHER_FIRST_CONTACT: {
    status: 409,
    message: "Another official took this enquiry first and stays responsible for answering it (首问负责)",
  },
  DATA_RESOURCE_NOT_FOUND: { status: 404, message: "The data resource does not exist" },
  DATA_RESOURCE_EXISTS: { status: 409, message: "A data resource with this code already exists" },
  DATA_POOL_NOT_USED: {
    status: 409,
    message: "This data resource is not kept in a platform data pool; its department's system holds it",
  },
  SHARING_REQUEST_NOT_FOUND: { status: 404, message: "The sharing request does not exist" },
  SHARING_REQUEST_DECIDED: { status: 409, message: "The sharing request has already been decided" },
  GRANT_NOT_FOUND: { status: 404, message: "The grant does not exist" },
  GRANT_ALREADY_REVOKED: { status: 409, message: "The grant has already been revoked" },
  EXCHANGE_NOT_SHAREABLE: {
    status: 409,
    message: "This data resource is not shared with other departments, by its legal basis",
  },
  EXCHANGE_NO_REQUEST_NEEDED: {
    status: 409,
    message: "This data resource is shared unconditionally; query it without a request",
  },
  EXCHANGE_NO_GRANT: { status: 403, message: "Your department holds no grant for this data resource" },
  EXCHANGE_GRANT_EXPIRED: { status: 403, message: "The grant has expired" },
  EXCHANGE_GRANT_REVOKED: { status: 403, message: "The grant has been revoked" },
  EXCHANGE_GRANT_NOT_YOURS: { status: 403, message: "The grant belongs to another department or resource" },
  EXCHANGE_BEYOND_GRANT: { status: 403, message: "The query asks for fields beyond the grant" },
  EXCHANGE_CLEARANCE_INSUFFICIENT: {
    status: 403,
    message: "Your clearance is below the classification of the fields asked for",
  },
  EXCHANGE_CONSENT_MISMATCH: { status: 403, message: "The applicant's consent covers only the applicant's own data" },
  EXCHANGE_RATE_LIMITED: { status: 429, message: "The grant's query rate limit is reached; try again later" },
  PROVIDER_UNAVAILABLE: { status: 503, message: "The providing department's system cannot be reached" },
  DATA_MATERIAL_NO_RECORD: {
    status: 422,
    message: "The providing department holds no record about the applicant for this material; upload it instead",
  },
  PROVIDER_BAD_ANSWER: { status: 502, message: "The providing department's system gave an answer that is not valid" },
  PAYLOAD_TOO_LARGE: { status: 413, message: "The request is too large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "The content type is not supported" },
  RATE_LIMITED: { status: 429, message: "Too many requests; slow down and try again later" },
  INTERNAL: { status: 500, message: "Something went wrong on our side" },
  FEDERATION_DISABLED: { status: 404, message: "This node is not a member of a federation" },
  FEDERATION_PEER_NOT_FOUND: { status: 404, message: "No such member in the federation's trust list" },
  ENVELOPE_MALFORMED: { status: 400, message: "The envelope is not a well-formed federation message" },
  ENVELOPE_UNTRUSTED_SENDER: { status: 403, message: "The sender or its key is not in the federation's trust list" },
  ENVELOPE_BAD_SIGNATURE: {
    status: 401,
    message: "The envelope's signature does not verify: it was forged or altered",
  },
  ENVELOPE_EXPIRED: { status: 401, message: "The envelope is too old or dated in the future" },
  ENVELOPE_MISADDRESSED: { status: 421, message: "The envelope is addressed to another node" },
  ENVELOPE_REPLAYED: { status: 409, message: "This envelope was delivered before" },
  FEDERATION_MESSAGE_REFUSED: { status: 422, message: "The receiving node cannot apply this message" },
  CERTIFICATE_NOT_FOUND: { status: 404, message: "No such e-certificate" },
  CERTIFICATE_NOT_VALID: { status: 409, message: "The e-certificate is no longer valid (revoked or superseded)" },
  CERTIFICATE_NOT_APPLICABLE: {
    status: 422,
    message: "This certificate cannot satisfy the material: it is of another type or not the applicant's",
  },
  FEE_NOT_DUE: { status: 409, message: "This case owes no fee now" },
  FEE_ALREADY_PAID: { status: 409, message: "The fee of this case is already paid" },
  FEE_UNPAID: {
    status: 409,
    message: "The case's fee is not paid yet; it can be approved once the applicant has paid",
  },
  PAYMENT_NOT_FOUND: { status: 404, message: "No such payment" },
  PAYMENT_NOT_PAID: { status: 409, message: "Only a paid payment can be refunded" },
  REFUND_EXCEEDS_PAID: {
    status: 409,
    message: "The refund would exceed what was paid and not yet refunded",
  },
  PAYMENT_GATEWAY_UNAVAILABLE: { status: 503, message: "The payment gateway cannot be reached; try again later" },
  PAYMENT_GATEWAY_REFUSED: { status: 502, message: "The payment gateway refused the request" },
  PAYMENT_NOTIFICATION_REJECTED: {
    status: 401,
    message: "The payment notification does not verify: it was forged, altered or is too old",
  },
  PAYMENT_NOTIFICATION_MISMATCH: {
    status: 422,
    message: "The payment notification does not match the order (unknown order or another amount)",
  },
  PAYMENTS_DISABLED: { status: 404, message: "Online payment is not configured on this node" },
  INVOICE_NOT_FOUND: { status: 404, message: "No such e-invoice" },
  INVOICE_CHECK_CODE_MISMATCH: { status: 422, message: "The check code does not match the invoice" },
  INVOICE_ALREADY_REIMBURSED: {
    status: 409,
    message: "This invoice has already been reimbursed (一票一报): it cannot be claimed again",
  },
  INVOICE_NOT_REIMBURSABLE: {
    status: 409,
    message: "This invoice cannot be reimbursed: it is a red-letter invoice or fully reversed by refunds",
  },
  NOT_READY: { status: 503, message: "The service is not ready" },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorRegistry;
export const ErrorCode = z.enum(Object.keys(errorRegistry) as [ErrorCode, ...ErrorCode[]]);

/** One problem with one field: `field` is the dotted path, `reason` a stable code the web translates. */
export const FieldIssue = z.object({
  field: z.string(),
  reason: z.string(),
  message: z.string(),
});
export type FieldIssue = z.infer<typeof FieldIssue>;

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.unknown().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
