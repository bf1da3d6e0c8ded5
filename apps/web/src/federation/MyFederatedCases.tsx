import { useQuery } from "@tanstack/react-query";
import { Card, Col } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { isApiError } from "../api/client.ts";
import { federatedCasesQuery } from "../api/federation.ts";
import { formatDateTime } from "../format.ts";
import { currentLanguage } from "../i18n/index.ts";
import { FederatedStatusTag } from "./FederatedCasePage.tsx";

/** 我的跨省办件 on the resident's page; nothing on a node outside any federation. */
export function MyFederatedCases() {
  const { t } = useTranslation();
  const query = useQuery(federatedCasesQuery());
  const language = currentLanguage();
  if (query.isError && isApiError(query.error) && query.error.code === "FEDERATION_DISABLED") return null;
  return (
    <Col xs={24}>
      <Card>
        <h2 className="tb-card-title">{t("federation.myCases")}</h2>
        <p className="tb-muted">{t("federation.myCasesLead")}</p>
        {query.data && query.data.length === 0 && <p>{t("federation.myCasesEmpty")}</p>}
        {query.data && query.data.length > 0 && (
          <ul className="tb-case-list">
            {query.data.map((c) => (
              <li key={c.id}>
                <Link to={`/me/federated/${encodeURIComponent(c.id)}`}>
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
        )}
      </Card>
    </Col>
  );
}
