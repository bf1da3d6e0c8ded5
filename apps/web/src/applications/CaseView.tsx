import type { Application, ApplicationAction, ApplicationStatus, ServiceItemFields } from "@tongban/contracts";
import { Descriptions, Empty, Tag, Timeline } from "antd";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import type { z } from "zod";
import { formatDate, formatDateTime } from "../format.ts";
import { currentLanguage } from "../i18n/index.ts";
import { LedgerProof } from "../ledger/LedgerProof.tsx";
import { fieldLabel } from "./FormFields.tsx";

type Item = z.infer<typeof ServiceItemFields>;

const statusColors: Record<ApplicationStatus, string> = {
  draft: "default",
  submitted: "blue",
  under_review: "blue",
  awaiting_supplement: "orange",
  suspended: "gold",
  approved: "green",
  rejected: "red",
  not_accepted: "red",
  withdrawn: "default",
  delivered: "green",
};

export function StatusTag({ status }: { status: ApplicationStatus }) {
  const { t } = useTranslation();
  return <Tag className={`tb-tone tb-tone-${statusColors[status]}`}>{t(`applicationStatus.${status}`)}</Tag>;
}

const deadlineColors = {
  none: "default",
  on_time: "green",
  warning: "orange",
  overdue: "red",
  paused: "gold",
  finished: "default",
};

export function DeadlineText({ application }: { application: Pick<Application, "deadline"> }) {
  const { t } = useTranslation();
  const { deadline } = application;
  if (!deadline.dueOn) return <span>{t("application.deadlineNone")}</span>;
  return (
    <span>
      {t("application.dueOn", { date: formatDate(deadline.dueOn, currentLanguage()) })}{" "}
      <Tag className={`tb-tone tb-tone-${deadlineColors[deadline.state]}`}>{t(`deadlineState.${deadline.state}`)}</Tag>
      <br />
      <span className="tb-muted">
        {t("application.limitDays", { count: deadline.limitDays, elapsed: deadline.elapsedDays })}
      </span>
    </span>
  );
}

/** The facts of a case: number, status, step, holder, deadline, first-contact person. */
export function CaseFacts({ application }: { application: Application }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  return (
    <Descriptions
      column={{ xs: 1, sm: 1, md: 2 }}
      size="small"
      items={[
        { key: "number", label: t("application.number"), children: application.number },
        { key: "status", label: t("application.status"), children: <StatusTag status={application.status} /> },
        { key: "service", label: t("application.service"), children: application.serviceName },
        {
          // A case keeps the version of the service it was filed under, whatever is published later.
          key: "serviceVersion",
          label: t("application.serviceVersion"),
          children: t("application.serviceVersionValue", { version: application.serviceVersion }),
        },
        { key: "department", label: t("application.department"), children: application.departmentName },
        {
          key: "step",
          label: t("application.currentStep"),
          children: application.currentStep ?? t("common.none"),
        },
        {
          key: "holder",
          label: t("application.holder"),
          children: application.holderRole
            ? `${t(`role.${application.holderRole}`)}${application.claimedByName ? ` · ${application.claimedByName}` : ""}`
            : t("common.none"),
        },
        { key: "deadline", label: t("application.deadline"), children: <DeadlineText application={application} /> },
        {
          key: "firstContact",
          label: t("application.firstContact"),
          children: application.firstContactName ?? t("application.firstContactNone"),
        },
        {
          key: "submitted",
          label: t("application.submittedAt"),
          children: application.submittedAt ? formatDateTime(application.submittedAt, language) : t("common.none"),
        },
      ]}
    />
  );
}

/** A supplement target (a material code or form.<field>) named as the applicant knows it. */
export function targetName(item: Item | undefined, target: string): string {
  if (!item) return target;
  if (target.startsWith("form.")) {
    const field = target.slice(5);
    return fieldLabel(item.form.ui.fields[field], field);
  }
  return item.materials.find((m) => m.code === target)?.name ?? target;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value : undefined;
}

function actionDetails(t: TFunction, action: ApplicationAction, item: Item | undefined): string[] {
  const p = action.payload;
  const lines: string[] = [];
  const opinion = str(p.opinion);
  if (opinion) lines.push(t("application.opinion", { text: opinion }));
  const reason = str(p.reason);
  if (reason) lines.push(t("application.reason", { text: reason }));
  const basis = str(p.legalBasis);
  if (basis) lines.push(t("application.legalBasis", { text: basis }));
  const text = str(p.text) ?? str(p.note);
  if (text) lines.push(t("application.note", { text }));
  const method = str(p.method);
  if (method === "online" || method === "post" || method === "window")
    lines.push(t("application.method", { text: t(`deliveryMethod.${method}`) }));
  if (Array.isArray(p.items)) {
    for (const entry of p.items as { target?: unknown; problem?: unknown }[]) {
      const target = str(entry.target);
      const problem = str(entry.problem);
      if (target && problem) lines.push(t("application.supplementItem", { target: targetName(item, target), problem }));
    }
  }
  return lines;
}

/** Every action on the case, oldest first, with who did it and when, and its place in the ledger. */
export function CaseTimeline({ application, item }: { application: Application; item: Item | undefined }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  if (application.actions.length === 0) return <Empty description={t("application.timelineEmpty")} />;
  return (
    <Timeline
      items={application.actions.map((action) => ({
        key: action.seq,
        content: (
          <div>
            <strong>{t(`actionType.${action.type}`)}</strong>
            <div className="tb-muted">
              {action.actorName} · <time dateTime={action.at}>{formatDateTime(action.at, language)}</time>
            </div>
            {actionDetails(t, action, item).map((line) => (
              <div key={line}>{line}</div>
            ))}
            <LedgerProof applicationId={application.id} action={action} stepName={t(`actionType.${action.type}`)} />
          </div>
        ),
      }))}
    />
  );
}
