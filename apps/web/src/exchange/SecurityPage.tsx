// The security officer's list of security events of their region, filtered by severity, type and date.
import { useQuery } from "@tanstack/react-query";
import type { SecurityEvent, SecuritySeverity } from "@tongban/contracts";
import { Card, Descriptions, Flex, Input, Tag } from "antd";
import type { TFunction } from "i18next";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../format.ts";
import { NativeSelect } from "../forms/NativeSelect.tsx";
import { useUrlFilters } from "../forms/useUrlFilters.ts";
import { currentLanguage } from "../i18n/index.ts";
import { QueryState } from "../layout/QueryState.tsx";
import { usePageTitle } from "../usePageTitle.ts";
import { securityEventsQuery } from "./api.ts";

const severities: SecuritySeverity[] = ["high", "medium", "low"];
const severityTone: Record<SecuritySeverity, string> = { high: "red", medium: "orange", low: "default" };
const knownTypes = [
  "exchange.beyond_grant",
  "exchange.no_grant",
  "exchange.grant_expired",
  "exchange.grant_revoked",
  "exchange.grant_not_yours",
  "exchange.not_shareable",
  "exchange.clearance_insufficient",
  "exchange.consent_mismatch",
  "exchange.rate_limited",
  "exchange.forbidden",
];

/** A type's name (i18next keys cannot hold the dot of `exchange.beyond_grant`), or the type itself. */
function typeName(t: TFunction, type: string): string {
  const key = `exchange.security.types.${type.replaceAll(".", "_")}`;
  return (t as unknown as (keys: string[]) => string)([key, type]);
}

function detailText(value: unknown): string {
  if (Array.isArray(value)) return value.map(detailText).join("、");
  if (value !== null && typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function EventItem({ event }: { event: SecurityEvent }) {
  const { t } = useTranslation();
  const details = Object.entries(event.details).filter(([, v]) => v !== null && v !== undefined);
  return (
    <li className="tb-access" data-event={event.id}>
      <Flex gap={8} wrap align="baseline">
        <strong>{typeName(t, event.type)}</strong>
        <Tag className={`tb-tone tb-tone-${severityTone[event.severity]}`}>
          {t(`exchange.security.severities.${event.severity}`)}
        </Tag>
      </Flex>
      <Descriptions
        column={{ xs: 1, sm: 1, md: 2 }}
        size="small"
        items={[
          {
            key: "at",
            label: t("exchange.security.at"),
            children: <time dateTime={event.at}>{formatDateTime(event.at, currentLanguage())}</time>,
          },
          { key: "account", label: t("exchange.security.account"), children: event.accountName ?? "—" },
          { key: "department", label: t("exchange.security.department"), children: event.departmentName ?? "—" },
          { key: "subject", label: t("exchange.security.subject"), children: event.subject ?? "—" },
          {
            key: "details",
            label: t("exchange.security.details"),
            children:
              details.length === 0 ? (
                "—"
              ) : (
                <ul className="tb-plain-list">
                  {details.map(([key, value]) => (
                    <li key={key}>
                      <code>{key}</code>: {detailText(value)}
                    </li>
                  ))}
                </ul>
              ),
          },
        ]}
      />
    </li>
  );
}

export default function SecurityPage() {
  const { t } = useTranslation();
  usePageTitle(t("exchange.security.title"));
  const [params, setFilter] = useUrlFilters();
  const severity = severities.find((s) => s === params.get("severity"));
  const type = params.get("type") ?? "";
  const since = params.get("since") ?? "";
  // A day is read in China time, where the events happen.
  const query = useQuery(
    securityEventsQuery({
      severity,
      type: type || undefined,
      since: /^\d{4}-\d{2}-\d{2}$/.test(since) ? `${since}T00:00:00+08:00` : undefined,
    }),
  );
  const severityId = useId();
  const typeId = useId();
  const sinceId = useId();
  return (
    <>
      <h1 className="tb-page-title">{t("exchange.security.title")}</h1>
      <p className="tb-muted">{t("exchange.security.lead")}</p>
      <Card>
        <Flex gap={16} wrap className="tb-filter-row">
          <Flex vertical gap={4}>
            <label htmlFor={severityId} className="tb-filter-label">
              {t("exchange.security.severity")}
            </label>
            <NativeSelect
              id={severityId}
              value={severity ?? ""}
              onChange={(event) => setFilter("severity", event.target.value)}
              options={[
                { value: "", label: t("exchange.security.all") },
                ...severities.map((s) => ({ value: s, label: t(`exchange.security.severities.${s}`) })),
              ]}
            />
          </Flex>
          <Flex vertical gap={4}>
            <label htmlFor={typeId} className="tb-filter-label">
              {t("exchange.security.type")}
            </label>
            <NativeSelect
              id={typeId}
              value={type}
              onChange={(event) => setFilter("type", event.target.value)}
              options={[
                { value: "", label: t("exchange.security.all") },
                ...knownTypes.map((k) => ({ value: k, label: typeName(t, k) })),
              ]}
            />
          </Flex>
          <Flex vertical gap={4}>
            <label htmlFor={sinceId} className="tb-filter-label">
              {t("exchange.security.since")}
            </label>
            <Input
              id={sinceId}
              type="date"
              value={since}
              onChange={(event) => setFilter("since", event.target.value)}
            />
          </Flex>
        </Flex>
        <QueryState query={query} empty={t("exchange.security.empty")}>
          {(events) => (
            <>
              <p className="tb-muted" aria-live="polite">
                {t("exchange.security.count", { count: events.length })}
              </p>
              <ul className="tb-access-list">
                {events.map((event) => (
                  <EventItem key={event.id} event={event} />
                ))}
              </ul>
            </>
          )}
        </QueryState>
      </Card>
    </>
  );
}
