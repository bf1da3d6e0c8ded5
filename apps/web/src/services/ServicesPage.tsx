import { useQuery } from "@tanstack/react-query";
import { LifeEvent, type ServiceSummary } from "@tongban/contracts";
import { Alert, Button, Card, Empty, Flex, Skeleton, Tag } from "antd";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { departmentsQuery } from "../api/public.ts";
import { servicesQuery } from "../api/services.ts";
import { FederatedServicesSection } from "../federation/FederatedServicesSection.tsx";
import { errorMessage } from "../forms/errors.ts";
import { FilterField } from "../forms/FilterField.tsx";
import { NativeSelect } from "../forms/NativeSelect.tsx";
import { SearchBox } from "../forms/SearchBox.tsx";
import { currentLanguage } from "../i18n/index.ts";
import { useRegion } from "../region.tsx";
import { usePageTitle } from "../usePageTitle.ts";

const lifeEvents = LifeEvent.options;

function isLifeEvent(value: string | null): value is LifeEvent {
  return value !== null && (lifeEvents as readonly string[]).includes(value);
}

function ServiceCard({ service }: { service: ServiceSummary }) {
  const { t } = useTranslation();
  const english = currentLanguage() === "en";
  return (
    <Card size="small" className="tb-service-card">
      <h2 className="tb-card-heading">
        <Link to={`/services/${encodeURIComponent(service.code)}`}>{english ? service.nameEn : service.name}</Link>
      </h2>
      {english && (
        <div className="tb-muted" lang="zh-Hans">
          {service.name}
        </div>
      )}
      <p className="tb-muted tb-service-dept">{service.departmentName}</p>
      <p className="tb-service-summary">{service.summary}</p>
      <Flex gap={6} wrap>
        {service.handlingModes.map((mode) => (
          <Tag key={mode} className={`tb-tone tb-tone-${mode === "online" ? "green" : "blue"}`}>
            {t(`handlingMode.${mode}`)}
          </Tag>
        ))}
        <Tag>
          {service.committedLimitDays === 0
            ? t("services.limitImmediate")
            : t("services.limitDays", { count: service.committedLimitDays })}
        </Tag>
        <Tag>
          {service.visitsRequired === 0
            ? t("services.visitsZero")
            : t("services.visits", { count: service.visitsRequired })}
        </Tag>
        <Tag>
          {service.feeYuan === 0 ? t("services.free") : t("services.fee", { amount: service.feeYuan.toFixed(2) })}
        </Tag>
      </Flex>
    </Card>
  );
}

export default function ServicesPage() {
  const { t } = useTranslation();
  const { region, pending: regionPending, error: regionError } = useRegion();
  const [params, setParams] = useSearchParams();
  const lifeEventParam = params.get("lifeEvent");
  const lifeEvent = isLifeEvent(lifeEventParam) ? lifeEventParam : undefined;
  const departmentId = params.get("departmentId") ?? "";
  const q = params.get("q") ?? "";
  const countId = useId();
  usePageTitle(t("services.title"));

  const regionCode = region?.code ?? "";
  const departments = useQuery({ ...departmentsQuery(regionCode), enabled: Boolean(region) });
  const services = useQuery({
    ...servicesQuery({ regionCode, departmentId: departmentId || undefined, lifeEvent, q: q || undefined }),
    enabled: Boolean(region),
  });

  const update = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const english = currentLanguage() === "en";
  const filtered = Boolean(lifeEvent || departmentId || q);

  if (regionPending) {
    return (
      <div className="tb-container tb-page">
        <Skeleton active paragraph={{ rows: 6 }} />
      </div>
    );
  }
  if (!region) {
    return (
      <div className="tb-container tb-page">
        <Alert type="error" showIcon title={t("error.loadFailed")} description={errorMessage(t, regionError)} />
      </div>
    );
  }

  return (
    <div className="tb-container tb-page">
      <h1 className="tb-page-title">{t("services.title")}</h1>
      <p className="tb-muted">{t("services.lead", { region: region.name })}</p>

      <Card className="tb-service-filters">
        <SearchBox
          value={q}
          label={t("services.searchLabel")}
          placeholder={t("services.searchPlaceholder")}
          onSearch={(text) => update("q", text)}
          className="tb-service-search"
        />
        <Flex gap={16} wrap className="tb-service-selects">
          <FilterField label={t("services.departmentLabel")}>
            {(id) => (
              <NativeSelect
                id={id}
                value={departmentId}
                onChange={(event) => update("departmentId", event.target.value)}
                options={[
                  { value: "", label: t("services.allDepartments") },
                  ...(departments.data ?? []).map((d) => ({
                    value: d.id,
                    label: english && d.nameEn ? d.nameEn : d.name,
                  })),
                ]}
              />
            )}
          </FilterField>
          <FilterField label={t("services.lifeEventLabel")}>
            {(id) => (
              <NativeSelect
                id={id}
                value={lifeEvent ?? ""}
                onChange={(event) => update("lifeEvent", event.target.value)}
                options={[
                  { value: "", label: t("services.allLifeEvents") },
                  ...lifeEvents.map((event) => ({ value: event, label: t(`lifeEvent.${event}`) })),
                ]}
              />
            )}
          </FilterField>
        </Flex>
      </Card>

      <section aria-labelledby={countId} className="tb-section">
        <Flex justify="space-between" align="center" wrap gap={8}>
          <p id={countId} className="tb-muted" aria-live="polite" style={{ margin: 0 }}>
            {services.data ? t("services.resultCount", { count: services.data.length }) : t("common.loading")}
          </p>
          {filtered && (
            <Button type="link" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
              {t("services.clearFilters")}
            </Button>
          )}
        </Flex>
        {services.isPending ? (
          <Skeleton active />
        ) : services.isError ? (
          <Alert
            type="error"
            showIcon
            title={t("error.loadFailed")}
            description={errorMessage(t, services.error)}
            action={<Button onClick={() => void services.refetch()}>{t("common.retry")}</Button>}
          />
        ) : services.data.length === 0 ? (
          <Card>
            <Empty description={t("services.empty")} />
          </Card>
        ) : (
          <ul className="tb-service-list">
            {services.data.map((service) => (
              <li key={service.code}>
                <ServiceCard service={service} />
              </li>
            ))}
          </ul>
        )}
      </section>
      {!departmentId && !lifeEvent && <FederatedServicesSection q={q} />}
    </div>
  );
}
