import { type ErrorCode, errorRegistry, type FieldIssue } from "@tongban/contracts";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";

/** Services throw this; the one error handler turns it into `{ code, message, details }`. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly details?: unknown,
    message?: string,
  ) {
    super(message ?? errorRegistry[code].message);
    this.name = "AppError";
    this.status = errorRegistry[code].status;
  }
}

/** A validation failure on named fields, for rules a schema cannot state (e.g. uniqueness). */
export function fieldError(issues: FieldIssue[]): AppError {
  return new AppError("VALIDATION_FAILED", issues);
}

const reasonByZodCode: Record<string, string> = {
  too_small: "TOO_SHORT",
  too_big: "TOO_LONG",
  invalid_format: "INVALID_FORMAT",
  invalid_value: "INVALID_VALUE",
  invalid_union: "INVALID_VALUE",
  invalid_type: "INVALID_TYPE",
  unrecognized_keys: "UNKNOWN_FIELD",
  not_multiple_of: "INVALID_VALUE",
  custom: "INVALID_VALUE",
};

function valueAt(root: unknown, path: string[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

interface ZodLikeIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Turns schema-validation issues into one FieldIssue per problem, each with a stable reason. */
export function toFieldIssues(issues: ZodLikeIssue[], input: unknown): FieldIssue[] {
  return issues.map((issue) => {
    const path = issue.instancePath.split("/").filter(Boolean);
    const params = issue.params ?? {};
    const custom = (params.params as { reason?: string } | undefined)?.reason;
    let reason = custom ?? reasonByZodCode[issue.keyword] ?? "INVALID_VALUE";
    if (!custom && issue.keyword === "invalid_type" && valueAt(input, path) === undefined) reason = "REQUIRED";
    if (issue.keyword === "unrecognized_keys" && Array.isArray(params.keys)) {
      return {
        field: [...path, ...(params.keys as string[])].join("."),
        reason,
        message: "This field is not expected",
      };
    }
    return { field: path.join("."), reason, message: issue.message ?? "Not valid" };
  });
}

function send(reply: FastifyReply, code: ErrorCode, details?: unknown, message?: string) {
  const body: Record<string, unknown> = { code, message: message ?? errorRegistry[code].message };
  if (details !== undefined) body.details = details;
  return reply.status(errorRegistry[code].status).type("application/json").send(body);
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AppError) {
      // A node not ready yet (its peers still starting) is an expected state, not a failure.
      if (error.status >= 500 && error.code !== "NOT_READY") request.log.error({ err: error }, "request failed");
      return send(reply, error.code, error.details, error.message);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const source =
        error.validationContext === "querystring"
          ? request.query
          : error.validationContext === "params"
            ? request.params
            : request.body;
      return send(reply, "VALIDATION_FAILED", toFieldIssues(error.validation as unknown as ZodLikeIssue[], source));
    }
    if (isResponseSerializationError(error as never)) {
      request.log.error({ err: error }, "response did not match its schema");
      return send(reply, "INTERNAL");
    }
    switch (error.code) {
      case "FST_CSRF_INVALID_TOKEN":
      case "FST_CSRF_MISSING_SECRET":
        return send(reply, "CSRF_INVALID");
      case "FST_ERR_CTP_BODY_TOO_LARGE":
        return send(reply, "PAYLOAD_TOO_LARGE");
      case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
        return send(reply, "UNSUPPORTED_MEDIA_TYPE");
      case "FST_ERR_CTP_EMPTY_JSON_BODY":
      case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
        return send(reply, "BAD_REQUEST", undefined, error.message);
    }
    if (error.statusCode === 429) return send(reply, "RATE_LIMITED");
    if (error instanceof SyntaxError || (error.statusCode === 400 && !error.validation)) {
      return send(reply, "BAD_REQUEST", undefined, "The request body is not valid JSON");
    }
    request.log.error({ err: error }, "unhandled error");
    return send(reply, "INTERNAL");
  });
}

/** The path of the first string (or key) holding U+0000 in `value`, e.g. `form.name`; undefined if none. */
function nulPath(value: unknown, path: string[] = [], depth = 0): string[] | undefined {
  if (typeof value === "string") return value.includes("\u0000") ? path : undefined;
  if (value === null || typeof value !== "object" || depth > 32) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key.includes("\u0000")) return [...path, key];
    const found = nulPath(child, [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * A NUL character has no place in any field, and PostgreSQL refuses it in text and JSON: answer a
 * validation error naming the field instead of letting the database fail the request with a 500.
 */
export function registerNulCheck(app: FastifyInstance) {
  app.addHook("preValidation", async (request, reply) => {
    for (const source of [request.params, request.query, request.body]) {
      const path = nulPath(source);
      if (path)
        return send(reply, "VALIDATION_FAILED", [
          {
            field: path.join(".") || "body",
            reason: "INVALID_CHARACTER",
            message: "Remove the NUL character (U+0000)",
          },
        ]);
    }
  });
}

/** Unknown routes answer NOT_FOUND; with the web app built, other GETs outside /api get its shell. */
export function registerNotFound(app: FastifyInstance, serveAppShell: boolean) {
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    const isApi = path === "/api" || path.startsWith("/api/");
    if (serveAppShell && request.method === "GET" && !isApi && !/\.[a-z0-9]+$/i.test(path)) {
      return reply.sendFile("index.html");
    }
    return send(reply, "NOT_FOUND", { method: request.method, url: request.url });
  });
}
