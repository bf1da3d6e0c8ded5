// 谁查看了我的数据: every query through the exchange gateway about the logged-in resident or
// enterprise — which department, which data, for what purpose, when, and its ledger entry.
import { useQuery } from "@tanstack/react-query";
import type { AccessOutcome, DataAccessItem } from "@tongban/contracts";
import { Card, Descriptions, Flex, Tag } from "antd";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { formatDateTime } from "../format.ts";
import { NativeSelect } from "../forms/NativeSelect.tsx";
import { useUrlFilters } from "../forms/useUrlFilters.ts";
import { currentLanguage } from "../i18n/index.ts";
import { QueryState } from "../layout/QueryState.tsx";
import { usePageTitle } from "../usePageTitle.ts";
import { myDataAccessQuery } from "./api.ts";

const outcomeTone: Record<AccessOutcome, string> = { allowed: "green", refused: "red", failed: "orange" };
const outcomes: AccessOutcome[] = ["allowed", "refused", "failed"];

function AccessEntry({ access }: { access: DataAccessItem }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  return (
    <li className="tb-access" data-access={access.id}>
      <Flex gap={8} wrap align="baseline">
        <strong>{access.resourceName ?? access.resource}</strong>
        <Tag className={`tb-tone tb-tone-${outcomeTone[access.outcome]}`}>
          {t(`exchange.outcome.${access.outcome}`)}
        </Tag>
      </Flex>
      <Descriptions
        column={{ xs: 1, sm: 1, md: 2 }}
        size="small"
        items={[
          {
            key: "at",
            label: t("exchange.whoRead.at"),
            children: <time dateTime={access.at}>{formatDateTime(access.at, language)}</time>,
          },
          { key: "consumer", label: t("exchange.whoRead.consumer"), children: access.consumerDepartmentName ?? "—" },
          { key: "provider", label: t("exchange.whoRead.provider"), children: access.providerDepartmentName ?? "—" },
          { key: "purpose", label: t("exchange.whoRead.purpose"), children: access.purpose },
          { key: "basis", label: t("exchange.whoRead.basis"), children: t(`exchange.basis.${access.basis}`) },
          {
            key: "fields",
            label: t("exchange.whoRead.fields"),
            children: access.fields.length > 0 ? access.fields.join("、") : "—",
          },
          {
            key: "ledger",
            label: t("exchange.whoRead.ledger"),
            children:
              access.ledgerIndex === null
                ? t("exchange.whoRead.ledgerPending")
                : t("exchange.whoRead.ledgerIndex", { index: access.ledgerIndex }),
          },
        ]}
      />
    </li>
  );
}

export default function DataAccessPage() {
  const { t } = useTranslation();
  usePageTitle(t("exchange.whoRead.title"));
  const [params, setFilter] = useUrlFilters();
  const raw = params.get("outcome");
  const outcome = outcomes.find((o) => o === raw);
  const query = useQuery(myDataAccessQuery(outcome));
  const filterId = useId();
  return (
    <div className="tb-container tb-page">
      <p>
        <Link to="/me" className="tb-back-link">
          {t("me.title")}
        </Link>
      </p>
      <h1 className="tb-page-title">{t("exchange.whoRead.title")}</h1>
      <p className="tb-muted">{t("exchange.whoRead.lead")}</p>
      <Card>
        <Flex gap={8} align="center" wrap className="tb-filter-row">
          <label htmlFor={filterId}>{t("exchange.whoRead.filter")}</label>
          <NativeSelect
            id={filterId}
            value={outcome ?? ""}
            onChange={(event) => setFilter("outcome", event.target.value)}
            options={[
              { value: "", label: t("exchange.whoRead.all") },
              ...outcomes.map((o) => ({ value: o, label: t(`exchange.outcome.${o}`) })),
            ]}
          />
        </Flex>
        <QueryState query={query} empty={t("exchange.whoRead.empty")}>
          {(accesses) => (
            <>
              <p className="tb-muted" aria-live="polite">
                {t("exchange.whoRead.count", { count: accesses.length })}
              </p>
              <ul className="tb-access-list">
                {accesses.map((access) => (
                  <AccessEntry key={access.id} access={access} />
                ))}
              </ul>
            </>
          )}
        </QueryState>
      </Card>
    </div>
  );
}
