import type { ErrorCode, FieldIssue } from "@tongban/contracts";

/**
 * Codes the client adds for failures that never reached the API's error handler,
 * so the UI can branch on one `code` for every failure.
 */
export type ClientErrorCode = ErrorCode | "NETWORK_ERROR" | "UNEXPECTED_RESPONSE";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ClientErrorCode,
    readonly details: unknown,
    message: string,
    /** Seconds from a Retry-After header, when the server sent one. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The field issues of a VALIDATION_FAILED answer, or none. */
  get fieldIssues(): FieldIssue[] {
    if (this.code !== "VALIDATION_FAILED" || !Array.isArray(this.details)) return [];
    return this.details.filter(
      (issue): issue is FieldIssue =>
        typeof issue === "object" &&
        issue !== null &&
        typeof (issue as FieldIssue).field === "string" &&
        typeof (issue as FieldIssue).reason === "string",
    );
  }

  /** Reads one value from an object-shaped `details`, e.g. attemptsLeft or lockedUntil. */
  detail<T>(key: string): T | undefined {
    if (typeof this.details !== "object" || this.details === null || Array.isArray(this.details)) return undefined;
    return (this.details as Record<string, unknown>)[key] as T | undefined;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

// The CSRF token lives only in memory: it is re-read from /auth/me on every page load, so it never
// sits in storage where another script could find it.
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

type SessionLostListener = () => void;
let onSessionLost: SessionLostListener = () => {};
/** Called when an authenticated request answers UNAUTHENTICATED (expired or ended session). */
export function setSessionLostListener(listener: SessionLostListener) {
  onSessionLost = listener;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const BASE = "/api/v1";

async function send(
  method: string,
  path: string,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json", ...extraHeaders };
  // A FormData body (a file upload) sets its own multipart content type with the boundary.
  const multipart = body instanceof FormData;
  if (body !== undefined && !multipart) headers["content-type"] = "application/json";
  if (UNSAFE.has(method) && csrfToken) headers["x-csrf-token"] = csrfToken;
  try {
    return await fetch(`${BASE}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : multipart ? body : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch (error) {
    throw new ApiError(0, "NETWORK_ERROR", undefined, error instanceof Error ? error.message : String(error));
  }
}

async function toError(response: Response): Promise<ApiError> {
  const retryHeader = response.headers.get("retry-after");
  const retryAfter = retryHeader && /^\d+$/.test(retryHeader) ? Number(retryHeader) : undefined;
  try {
    const body = (await response.json()) as { code?: string; message?: string; details?: unknown };
    if (typeof body.code === "string") {
      return new ApiError(
        response.status,
        body.code as ClientErrorCode,
        body.details,
        body.message ?? body.code,
        retryAfter,
      );
    }
  } catch {
    // Not JSON (e.g. a proxy's error page): fall through to a generic error.
  }
  const code: ClientErrorCode = response.status === 429 ? "RATE_LIMITED" : "UNEXPECTED_RESPONSE";
  return new ApiError(response.status, code, undefined, response.statusText, retryAfter);
}

async function refreshCsrfToken(): Promise<boolean> {
  const response = await send("GET", "/auth/me", undefined);
  if (!response.ok) return false;
  const session = (await response.json()) as { csrfToken?: string };
  if (!session.csrfToken) return false;
  csrfToken = session.csrfToken;
  return true;
}

/**
 * Calls the API and answers the parsed JSON (undefined for 204). Every failure becomes an ApiError
 * carrying the server's `code`, so callers branch on codes and never show the English message.
 */
export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<T> {
  let response = await send(method, path, body, headers);
  // A token can go stale when another tab logs in again; one fresh token and one retry is enough.
  if (response.status === 403 && UNSAFE.has(method)) {
    const error = await toError(response.clone());
    if (error.code === "CSRF_INVALID" && (await refreshCsrfToken())) response = await send(method, path, body, headers);
  }
  if (response.status === 204) return undefined as T;
  if (!response.ok) {
    const error = await toError(response);
    if (error.code === "UNAUTHENTICATED" && path !== "/auth/me") onSessionLost();
    throw error;
  }
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError(response.status, "UNEXPECTED_RESPONSE", undefined, "The response was not JSON");
  }
}
