import { useQuery } from "@tanstack/react-query";
import { ApplicationStatus } from "@tongban/contracts";
import { Alert, Button, Card, Checkbox, Empty, Flex, Skeleton } from "antd";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { applicationsQuery } from "../api/applications.ts";
import { useSession } from "../api/session.ts";
import { DeadlineText, StatusTag } from "../applications/CaseView.tsx";
import { errorMessage } from "../forms/errors.ts";
import { NativeSelect } from "../forms/NativeSelect.tsx";
import { SearchBox } from "../forms/SearchBox.tsx";
import { useUrlFilters } from "../forms/useUrlFilters.ts";
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
  const ids = { status: useId(), deadline: useId(), count: useId() };
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
          <div className="tb-filter">
            <label htmlFor={ids.status} className="tb-filter-label">
              {t("queue.statusLabel")}
            </label>
            <NativeSelect
              id={ids.status}
              value={status}
              onChange={(event) => update("status", event.target.value)}
              options={[
                { value: "", label: t("queue.allStatuses") },
                ...ApplicationStatus.options
                  .filter((s) => s !== "draft")
                  .map((s) => ({ value: s, label: t(`applicationStatus.${s}`) })),
              ]}
            />
          </div>
          <div className="tb-filter">
            <label htmlFor={ids.deadline} className="tb-filter-label">
              {t("queue.deadlineLabel")}
            </label>
            <NativeSelect
              id={ids.deadline}
              value={deadline ?? ""}
              onChange={(event) => update("deadline", event.target.value)}
              options={[
                { value: "", label: t("queue.allDeadlines") },
                { value: "warning", label: t("deadlineState.warning") },
                { value: "overdue", label: t("deadlineState.overdue") },
              ]}
            />
          </div>
          <Checkbox checked={mine} onChange={(event) => update("mine", event.target.checked ? "true" : "")}>
            {t("queue.mine")}
          </Checkbox>
        </Flex>
      </Card>
      <section aria-labelledby={ids.count} className="tb-section">
        <p id={ids.count} className="tb-muted" aria-live="polite">
          {query.data ? t("services.resultCount", { count: query.data.length }) : t("common.loading")}
        </p>
        {query.isPending ? (
          <Skeleton active />
        ) : query.isError ? (
          <Alert
            type="error"
            showIcon
            title={t("error.loadFailed")}
            description={errorMessage(t, query.error)}
            action={<Button onClick={() => void query.refetch()}>{t("common.retry")}</Button>}
          />
        ) : query.data.length === 0 ? (
          <Card>
            <Empty description={t("queue.empty")} />
          </Card>
        ) : (
          <ul className="tb-service-list">
            {query.data.map((application) => (
              <li key={application.id}>
                <Card size="small">
                  <h2 className="tb-card-heading">
                    <Link to={`/workbench/cases/${encodeURIComponent(application.id)}`}>{application.serviceName}</Link>
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
      </section>
    </>
  );
}
