import { useQuery } from "@tanstack/react-query";
import { ApplicationStatus } from "@tongban/contracts";
import { Card, Checkbox, Flex } from "antd";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { applicationsQuery } from "../api/applications.ts";
import { useSession } from "../api/session.ts";
import { DeadlineText, StatusTag } from "../applications/CaseView.tsx";
import { FilterField } from "../forms/FilterField.tsx";
import { NativeSelect } from "../forms/NativeSelect.tsx";
import { SearchBox } from "../forms/SearchBox.tsx";
import { useUrlFilters } from "../forms/useUrlFilters.ts";
import { QueryState } from "../layout/QueryState.tsx";
import { usePageTitle } from "../usePageTitle.ts";

export default function QueuePage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const [params, update] = useUrlFilters();
  const statusParam = params.get("status") ?? "";
  const status = (ApplicationStatus.options as readonly string[]).includes(statusParam) ? statusParam : "";
  const deadlineParam = params.get("deadline");
  const deadline = deadlineParam === "warning" || deadlineParam === "overdue" ? deadlineParam : undefined;
  const mine = params.get("mine") === "true";
  const q = params.get("q") ?? "";
  const countId = useId();
  usePageTitle(t("queue.title"));
  const query = useQuery(applicationsQuery({ status: status || undefined, deadline, mine, q: q || undefined }));

  return (
    <>
      <h1 className="tb-page-title">{t("queue.title")}</h1>
      <p className="tb-muted">{t("queue.lead", { department: user?.departmentName ?? "" })}</p>
      <Card className="tb-service-filters">
        <SearchBox
          value={q}
          label={t("queue.searchLabel")}
          placeholder={t("queue.searchPlaceholder")}
          onSearch={(text) => update("q", text)}
        />
        <Flex gap={16} wrap align="flex-end" className="tb-service-selects">
          <FilterField label={t("queue.statusLabel")}>
            {(id) => (
              <NativeSelect
                id={id}
                value={status}
                onChange={(event) => update("status", event.target.value)}
                options={[
                  { value: "", label: t("queue.allStatuses") },
                  ...ApplicationStatus.options
                    .filter((s) => s !== "draft")
                    .map((s) => ({ value: s, label: t(`applicationStatus.${s}`) })),
                ]}
              />
            )}
          </FilterField>
          <FilterField label={t("queue.deadlineLabel")}>
            {(id) => (
              <NativeSelect
                id={id}
                value={deadline ?? ""}
                onChange={(event) => update("deadline", event.target.value)}
                options={[
                  { value: "", label: t("queue.allDeadlines") },
                  { value: "warning", label: t("deadlineState.warning") },
                  { value: "overdue", label: t("deadlineState.overdue") },
                ]}
              />
            )}
          </FilterField>
          <Checkbox checked={mine} onChange={(event) => update("mine", event.target.checked ? "true" : "")}>
            {t("queue.mine")}
          </Checkbox>
        </Flex>
      </Card>
      <section aria-labelledby={countId} className="tb-section">
        <p id={countId} className="tb-muted" aria-live="polite">
          {query.data ? t("services.resultCount", { count: query.data.length }) : t("common.loading")}
        </p>
        <QueryState query={query} emptyInCard empty={t("queue.empty")}>
          {(applications) => (
            <ul className="tb-service-list">
              {applications.map((application) => (
                <li key={application.id}>
                  <Card size="small">
                    <h2 className="tb-card-heading">
                      <Link to={`/workbench/cases/${encodeURIComponent(application.id)}`}>
                        {application.serviceName}
                      </Link>
                    </h2>
                    <Flex gap={8} wrap align="center">
                      <StatusTag status={application.status} />
                      <span className="tb-muted">{application.number}</span>
                    </Flex>
                    <div>
                      {t("queue.applicant")}: {application.applicantName}
                      {application.currentStep ? ` · ${application.currentStep}` : ""}
                      {application.claimedByName ? ` · ${application.claimedByName}` : ""}
                    </div>
                    <DeadlineText application={application} />
                  </Card>
                </li>
              ))}
            </ul>
          )}
        </QueryState>
      </section>
    </>
  );
}
