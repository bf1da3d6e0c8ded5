/** Outcome of parsing or verifying untrusted input: never an exception, always a value to branch on. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** A successful Result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A failed Result with a message for a human. */
export function fail<T = never>(error: string): Result<T> {
  return { ok: false, error };
}
