import { useQuery } from "@tanstack/react-query";
import type { AdminServiceStatus, AdminServiceSummary } from "@tongban/contracts";
import { Alert, Button, Card, Empty, Flex, Grid, Skeleton, Table, Tag } from "antd";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useSession } from "../api/session.ts";
import { formatDate } from "../format.ts";
import { DepartmentSelect, departmentLabel } from "../forms/DepartmentSelect.tsx";
import { errorMessage } from "../forms/errors.ts";
import { FilterField } from "../forms/FilterField.tsx";
import { NativeSelect } from "../forms/NativeSelect.tsx";
import { SearchBox } from "../forms/SearchBox.tsx";
import { useUrlFilters } from "../forms/useUrlFilters.ts";
import { currentLanguage } from "../i18n/index.ts";
import { usePageTitle } from "../usePageTitle.ts";
import { AdminHeader } from "./AdminHeader.tsx";
import { adminServicesQuery, departmentsQuery } from "./api.ts";

const statuses: AdminServiceStatus[] = ["draft_pending", "published"];

/** Published version and any drafts waiting, as tags a reader can tell apart without colour. */
export function VersionTags({ service }: { service: AdminServiceSummary }) {
  const { t } = useTranslation();
  return (
    <span className="tb-tags">
      <Tag className="tb-tone tb-tone-green">{t("admin.services.publishedVersion", { version: service.version })}</Tag>
      {service.draftVersions.map((version) => (
        <Tag key={version} className="tb-tone tb-tone-orange">
          {t("admin.services.draftVersion", { version })}
        </Tag>
      ))}
    </span>
  );
}

export default function ServicesPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const regionCode = user?.regionCode ?? "";
  const [params, update] = useUrlFilters();
  const q = params.get("q") ?? "";
  const departmentId = params.get("departmentId") ?? "";
  const statusParam = params.get("status") ?? "";
  const status = (statuses as string[]).includes(statusParam) ? (statusParam as AdminServiceStatus) : undefined;
  const countId = useId();
  const departments = useQuery({ ...departmentsQuery(regionCode), enabled: Boolean(regionCode) });
  const query = useQuery(adminServicesQuery({ q: q || undefined, departmentId: departmentId || undefined, status }));
  const compact = Grid.useBreakpoint().md === false;
  const language = currentLanguage();
  usePageTitle(t("admin.services.title"));

  const name = (service: AdminServiceSummary) => (language === "en" ? service.nameEn : service.name);
  const department = (service: AdminServiceSummary) => {
    const found = departments.data?.find((d) => d.id === service.departmentId);
    return found ? departmentLabel(found) : service.departmentName;
  };
  const link = (service: AdminServiceSummary) => (
    <Link to={`/admin/services/${encodeURIComponent(service.code)}`}>{name(service)}</Link>
  );
  const published = (service: AdminServiceSummary) =>
    service.publishedAt ? t("admin.services.publishedOn", { date: formatDate(service.publishedAt, language) }) : "";
  const services = query.data ?? [];

  return (
    <>
      <AdminHeader
        title={t("admin.services.title")}
        lead={t("admin.services.lead", { region: user?.regionName ?? "" })}
        alert={null}
        onCloseAlert={() => {}}
      />
      <Card className="tb-service-filters">
        <SearchBox
          value={q}
          label={t("admin.services.searchLabel")}
          placeholder={t("admin.services.searchPlaceholder")}
          onSearch={(text) => update("q", text)}
        />
        <Flex gap={16} wrap align="flex-end" className="tb-service-selects">
          <FilterField label={t("admin.services.filterDepartment")}>
            {(id) => (
              <DepartmentSelect
                id={id}
                departments={departments.data ?? []}
                allLabel={t("admin.staff.allDepartments")}
                value={departmentId}
                onChange={(event) => update("departmentId", event.target.value)}
              />
            )}
          </FilterField>
          <FilterField label={t("admin.services.filterStatus")}>
            {(id) => (
              <NativeSelect
                id={id}
                value={status ?? ""}
                onChange={(event) => update("status", event.target.value)}
                options={[
                  { value: "", label: t("admin.services.allStatuses") },
                  ...statuses.map((value) => ({ value, label: t(`admin.services.status.${value}`) })),
                ]}
              />
            )}
          </FilterField>
        </Flex>
      </Card>
      <section aria-labelledby={countId} className="tb-section">
        <p id={countId} className="tb-muted" aria-live="polite">
          {query.data ? t("services.resultCount", { count: services.length }) : t("common.loading")}
        </p>
        {query.isError ? (
          <Alert
            type="error"
            showIcon
            title={t("error.loadFailed")}
            description={errorMessage(t, query.error)}
            action={<Button onClick={() => void query.refetch()}>{t("common.retry")}</Button>}
          />
        ) : compact ? (
          query.isPending ? (
            <Skeleton active />
          ) : services.length === 0 ? (
            <Card>
              <Empty description={t("admin.services.empty")} />
            </Card>
          ) : (
            <Card>
              <ul className="tb-card-list">
                {services.map((service) => (
                  <li key={service.code} className="tb-staff-card">
                    <h2 className="tb-card-heading">{link(service)}</h2>
                    <div className="tb-muted">
                      <code>{service.code}</code> · {department(service)}
                    </div>
                    <VersionTags service={service} />
                    <div className="tb-muted">
                      {published(service)} · {t("services.limitDays", { count: service.committedLimitDays })}
                    </div>
                  </li>
                ))}
              </ul>
            </Card>
          )
        ) : (
          <Card>
            <Table<AdminServiceSummary>
              rowKey="code"
              loading={query.isPending}
              dataSource={services}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              locale={{ emptyText: t("admin.services.empty") }}
              columns={[
                {
                  key: "name",
                  title: t("admin.services.item"),
                  render: (_, service) => (
                    <>
                      {link(service)}
                      <div className="tb-muted">
                        <code>{service.code}</code>
                      </div>
                    </>
                  ),
                },
                { key: "department", title: t("guide.department"), render: (_, service) => department(service) },
                {
                  key: "versions",
                  title: t("admin.services.versions"),
                  render: (_, service) => (
                    <>
                      <VersionTags service={service} />
                      <div className="tb-muted">{published(service)}</div>
                    </>
                  ),
                },
                {
                  key: "limit",
                  title: t("guide.committedLimit"),
                  render: (_, service) =>
                    service.committedLimitDays === 0
                      ? t("guide.immediate")
                      : t("guide.workingDays", { count: service.committedLimitDays }),
                },
              ]}
            />
          </Card>
        )}
      </section>
    </>
  );
}
