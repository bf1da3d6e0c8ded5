import { useQuery } from "@tanstack/react-query";
import type { FederatedServiceSummary } from "@tongban/contracts";
import { Alert, Card, Flex, Skeleton, Tag } from "antd";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { isApiError } from "../api/client.ts";
import { federatedServicesQuery } from "../api/federation.ts";
import { errorMessage } from "../forms/errors.ts";
import { currentLanguage } from "../i18n/index.ts";

function FederatedServiceCard({ service }: { service: FederatedServiceSummary }) {
  const { t } = useTranslation();
  const english = currentLanguage() === "en";
  return (
    <Card size="small" className="tb-service-card" data-federated-service={service.code}>
      <h3 className="tb-card-heading">
        <Link to={`/federation/services/${encodeURIComponent(service.code)}`}>
          {english ? service.nameEn : service.name}
        </Link>
      </h3>
      <p className="tb-muted tb-service-dept">
        {service.regionName} · {service.departmentName}
      </p>
      <p className="tb-service-summary">{service.summary}</p>
      <Flex gap={6} wrap>
        <Tag className="tb-tone tb-tone-purple">{t("federation.tag")}</Tag>
        <Tag className="tb-tone tb-tone-green">{t("handlingMode.online")}</Tag>
        <Tag>{t("federation.decidedBy", { region: service.regionName })}</Tag>
        <Tag>
          {service.committedLimitDays === 0
            ? t("services.limitImmediate")
            : t("services.limitDays", { count: service.committedLimitDays })}
        </Tag>
      </Flex>
    </Card>
  );
}

/**
 * 跨省通办 on the services page: the other members' services that can be applied for from here. A
 * node outside any federation shows nothing; a member that did not answer is named.
 */
export function FederatedServicesSection({ q }: { q: string }) {
  const { t } = useTranslation();
  const headingId = useId();
  const query = useQuery(federatedServicesQuery(q || undefined));
  if (query.isError && isApiError(query.error) && query.error.code === "FEDERATION_DISABLED") return null;
  return (
    <section aria-labelledby={headingId} className="tb-section">
      <h2 id={headingId} className="tb-section-title">
        {t("federation.servicesTitle")}
      </h2>
      <p className="tb-muted">{t("federation.servicesLead")}</p>
      {query.isPending ? (
        <Skeleton active />
      ) : query.isError ? (
        <Alert type="error" showIcon title={t("error.loadFailed")} description={errorMessage(t, query.error)} />
      ) : (
        <>
          {query.data.unavailable.length > 0 && (
            <Alert
              type="warning"
              showIcon
              title={t("federation.servicesUnavailable", {
                names: query.data.unavailable.map((u) => u.name).join("、"),
              })}
            />
          )}
          <ul className="tb-service-list">
            {query.data.services.map((service) => (
              <li key={service.code}>
                <FederatedServiceCard service={service} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
