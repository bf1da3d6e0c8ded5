import { useQuery } from "@tanstack/react-query";
import type { FederatedCase } from "@tongban/contracts";
import { Card, Col } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { isApiError } from "../api/client.ts";
import { federatedCasesQuery } from "../api/federation.ts";
import { formatDateTime } from "../format.ts";
import { currentLanguage } from "../i18n/index.ts";
import { FederatedStatusTag } from "./FederatedCasePage.tsx";

/** Cross-province cases, each with its status, number, deciding region and last change. */
export function FederatedCaseList({ cases, linkTo }: { cases: FederatedCase[]; linkTo: (id: string) => string }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  if (cases.length === 0) return null;
  return (
    <ul className="tb-case-list">
      {cases.map((c) => (
        <li key={c.id}>
          <Link to={linkTo(encodeURIComponent(c.id))}>
            <strong>{c.serviceName}</strong>
          </Link>{" "}
          <FederatedStatusTag status={c.status} />
          <div className="tb-muted">
            {c.number} · {t("federation.decidedBy", { region: c.competentName })} ·{" "}
            {t("federation.updatedAt", { time: formatDateTime(c.updatedAt, language) })}
          </div>
        </li>
      ))}
    </ul>
  );
}

/** 我的跨省办件 on the resident's page; nothing on a node outside any federation. */
export function MyFederatedCases() {
  const { t } = useTranslation();
  const query = useQuery(federatedCasesQuery());
  if (query.isError && isApiError(query.error) && query.error.code === "FEDERATION_DISABLED") return null;
  return (
    <Col xs={24}>
      <Card>
        <h2 className="tb-card-title">{t("federation.myCases")}</h2>
        <p className="tb-muted">{t("federation.myCasesLead")}</p>
        {query.data && query.data.length === 0 && <p>{t("federation.myCasesEmpty")}</p>}
        {query.data && <FederatedCaseList cases={query.data} linkTo={(id) => `/me/federated/${id}`} />}
      </Card>
    </Col>
  );
}
