import type { FormInstance } from "antd";
import type { TFunction } from "i18next";
import { isApiError } from "../api/client.ts";
import { formatDateTime } from "../format.ts";
import { currentLanguage } from "../i18n/index.ts";

// Keys built at run time from server codes: i18next falls back along the list, so an unknown
// reason still reads as a sentence rather than a raw key. The casts are confined to this file.
type LooseT = (keys: string | string[], options?: Record<string, unknown>) => string;
const loose = (t: TFunction) => t as unknown as LooseT;

/** The translated sentence for one field problem: field-specific if we have one, else generic. */
export function fieldMessage(t: TFunction, messageField: string, reason: string): string {
  return loose(t)([`validation.${messageField}.${reason}`, `validation.any.${reason}`, "validation.any.INVALID_VALUE"]);
}

/** The translated sentence for any failure, using the details the server sent with its code. */
export function errorMessage(t: TFunction, error: unknown): string {
  if (!isApiError(error)) return t("error.unknown");
  const language = currentLanguage();
  switch (error.code) {
    case "INVALID_CREDENTIALS":
    case "TOTP_INVALID": {
      const left = error.detail<number>("attemptsLeft");
      if (typeof left === "number" && left > 0) return loose(t)(`error.${error.code}_ATTEMPTS`, { count: left });
      return t(`error.${error.code}`);
    }
    case "ACCOUNT_LOCKED": {
      const until = error.detail<string>("lockedUntil");
      return until
        ? t("error.ACCOUNT_LOCKED", { time: formatDateTime(until, language) })
        : t("error.ACCOUNT_LOCKED_NO_TIME");
    }
    case "RATE_LIMITED":
      return error.retryAfter ? t("error.RATE_LIMITED_SECONDS", { count: error.retryAfter }) : t("error.RATE_LIMITED");
    case "DEPARTMENT_NOT_EMPTY": {
      const count = error.detail<number>("staffCount");
      return typeof count === "number"
        ? t("error.DEPARTMENT_NOT_EMPTY", { count })
        : t("error.DEPARTMENT_NOT_EMPTY_NO_COUNT");
    }
    default:
      // Data-sharing codes keep their sentences beside the rest of the data-sharing texts.
      return loose(t)([
        `error.${error.code}`,
        `exchange.error.${error.code}`,
        `certificates.error.${error.code}`,
        `payments.error.${error.code}`,
        `federation.error.${error.code}`,
        "error.unknown",
      ]);
  }
}

/**
 * Shows a failed submission on the form: every field issue the server named goes under its field
 * (antd's validateStatus/help via setFields), and the answer is the sentence for the alert above
 * the form. `fields` maps the server's field path to the form field and to the message group.
 */
export function showServerError(
  t: TFunction,
  form: FormInstance,
  error: unknown,
  fields: Record<string, { name?: string; messages: string }>,
): string {
  if (!isApiError(error)) return errorMessage(t, error);
  const issues = error.fieldIssues;
  if (issues.length === 0) return errorMessage(t, error);
  const byField = new Map<string, string[]>();
  const unplaced: string[] = [];
  for (const issue of issues) {
    const target = fields[issue.field];
    const message = fieldMessage(t, target?.messages ?? "any", issue.reason);
    if (!target) {
      unplaced.push(message);
      continue;
    }
    const name = target.name ?? issue.field;
    const list = byField.get(name) ?? [];
    if (!list.includes(message)) list.push(message);
    byField.set(name, list);
  }
  form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
  const first = byField.keys().next();
  if (!first.done) form.scrollToField(first.value, { focus: true, block: "center" });
  return [errorMessage(t, error), ...unplaced].join(" ");
}
