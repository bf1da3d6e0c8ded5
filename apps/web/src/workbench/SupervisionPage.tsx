import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { ApplicationListItem } from "@tongban/contracts";
import { Card, Descriptions, Flex, Tag } from "antd";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { applicationsPagesQuery } from "../api/applications.ts";
import { departmentsQuery } from "../api/public.ts";
import { useSession } from "../api/session.ts";
import { StatusTag } from "../applications/CaseView.tsx";
import { formatDate } from "../format.ts";
import { DepartmentSelect } from "../forms/DepartmentSelect.tsx";
import { FilterField } from "../forms/FilterField.tsx";
import { NativeSelect } from "../forms/NativeSelect.tsx";
import { SearchBox } from "../forms/SearchBox.tsx";
import { useUrlFilters } from "../forms/useUrlFilters.ts";
import { currentLanguage } from "../i18n/index.ts";
import { LoadMore, QueryState } from "../layout/QueryState.tsx";
import { usePageTitle } from "../usePageTitle.ts";

/** Days used and left of the committed limit, in working days; past the due date, how far past. */
function DaysText({ application }: { application: ApplicationListItem }) {
  const { t } = useTranslation();
  const { limitDays, elapsedDays, state } = application.deadline;
  const over = elapsedDays - limitDays;
  return (
    <span>
      {t("supervision.used", { elapsed: elapsedDays, limit: limitDays })}
      {" · "}
      <strong>
        {state === "overdue"
          ? over > 0
            ? t("supervision.overBy", { count: over })
            : t("deadlineState.overdue")
          : t("supervision.left", { count: Math.max(0, limitDays - elapsedDays) })}
      </strong>
    </span>
  );
}

function CaseCard({ application }: { application: ApplicationListItem }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const { deadline } = application;
  const overdue = deadline.state === "overdue";
  const holder = application.holderRole
    ? `${t(`role.${application.holderRole}`)} · ${application.claimedByName ?? t("supervision.unclaimed")}`
    : t("common.none");
  return (
    <li data-testid="supervision-case">
      <Card size="small" className={overdue ? "tb-case-overdue" : "tb-case-warning"}>
        <Flex justify="space-between" gap={8} wrap align="baseline">
          <h2 className="tb-card-heading">
            <Link to={`/workbench/cases/${encodeURIComponent(application.id)}`}>{application.serviceName}</Link>
          </h2>
          <Tag className={`tb-tone tb-tone-${overdue ? "red" : "orange"}`}>{t(`deadlineState.${deadline.state}`)}</Tag>
        </Flex>
        <Flex gap={8} wrap align="center" className="tb-muted">
          <span>{application.number}</span>
          <StatusTag status={application.status} />
          <span>{application.departmentName}</span>
        </Flex>
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 1, md: 2 }}
          className="tb-supervision-facts"
          items={[
            {
              key: "due",
              label: t("application.deadline"),
              children: deadline.dueOn
                ? t("application.dueOn", { date: formatDate(deadline.dueOn, language) })
                : t("application.deadlineNone"),
            },
            { key: "days", label: t("supervision.days"), children: <DaysText application={application} /> },
            { key: "applicant", label: t("queue.applicant"), children: application.applicantName },
            {
              key: "step",
              label: t("application.currentStep"),
              children: application.currentStep ?? t("common.none"),
            },
            { key: "holder", label: t("application.holder"), children: holder },
            {
              key: "firstContact",
              label: t("application.firstContact"),
              children: application.firstContactName ?? t("application.firstContactNone"),
            },
          ]}
        />
      </Card>
    </li>
  );
}

export default function SupervisionPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const regionCode = user?.regionCode ?? "";
  const [params, update] = useUrlFilters();
  const deadline = params.get("deadline") === "overdue" ? "overdue" : "warning";
  const departmentId = params.get("departmentId") ?? "";
  const q = params.get("q") ?? "";
  const countId = useId();
  const departments = useQuery({ ...departmentsQuery(regionCode), enabled: Boolean(regionCode) });
  const query = useInfiniteQuery(
    applicationsPagesQuery({ deadline, departmentId: departmentId || undefined, q: q || undefined }),
  );
  usePageTitle(t("supervision.title"));

  const cases = query.data?.pages.flat() ?? [];
  const overdue = cases.filter((c) => c.deadline.state === "overdue").length;

  return (
    <>
      <h1 className="tb-page-title">{t("supervision.title")}</h1>
      <p className="tb-muted">{t("supervision.lead", { region: user?.regionName ?? "" })}</p>
      <Card className="tb-service-filters">
        <SearchBox
          value={q}
          label={t("queue.searchLabel")}
          placeholder={t("queue.searchPlaceholder")}
          onSearch={(text) => update("q", text)}
        />
        <Flex gap={16} wrap align="flex-end" className="tb-service-selects">
          <FilterField label={t("supervision.show")}>
            {(id) => (
              <NativeSelect
                id={id}
                value={deadline}
                onChange={(event) => update("deadline", event.target.value === "overdue" ? "overdue" : "")}
                options={[
                  { value: "warning", label: t("supervision.flagged") },
                  { value: "overdue", label: t("supervision.overdueOnly") },
                ]}
              />
            )}
          </FilterField>
          <FilterField label={t("supervision.department")}>
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
        </Flex>
      </Card>
      <section aria-labelledby={countId} className="tb-section">
        <p id={countId} className="tb-muted" aria-live="polite">
          {query.data
            ? t(query.hasNextPage ? "supervision.countMore" : "supervision.count", { count: cases.length, overdue })
            : t("common.loading")}
        </p>
        <QueryState
          query={query}
          items={cases}
          emptyInCard
          empty={deadline === "overdue" ? t("supervision.emptyOverdue") : t("supervision.empty")}
        >
          {() => (
            <>
              <ul className="tb-service-list">
                {cases.map((application) => (
                  <CaseCard key={application.id} application={application} />
                ))}
              </ul>
              <LoadMore query={query} label={t("supervision.more")} />
            </>
          )}
        </QueryState>
      </section>
    </>
  );
}
