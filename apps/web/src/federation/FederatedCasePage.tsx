import { ArrowLeftOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import type { FederatedCase } from "@tongban/contracts";
import { Alert, Card, Descriptions, Tag, Timeline } from "antd";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { federatedCaseQuery } from "../api/federation.ts";
import { formatDateTime } from "../format.ts";
import { currentLanguage } from "../i18n/index.ts";
import { PageQueryState } from "../layout/QueryState.tsx";
import { usePageTitle } from "../usePageTitle.ts";

// Keys chosen at run time from the case's own codes; an unknown one reads as the code itself.
type LooseT = (key: string | string[], options?: Record<string, unknown>) => string;

/** A cross-province case's status: the competent node's application status once it reports one. */
export function FederatedStatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  const loose = t as unknown as LooseT;
  const tone =
    status === "refused" || status === "rejected" || status === "not_accepted"
      ? "red"
      : status === "approved" || status === "delivered"
        ? "green"
        : "blue";
  return (
    <Tag className={`tb-tone tb-tone-${tone}`}>
      {loose([`federation.caseStatus.${status}`, `applicationStatus.${status}`], { defaultValue: status })}
    </Tag>
  );
}

function Details({ value }: { value: FederatedCase }) {
  const { t } = useTranslation();
  return (
    <Descriptions
      column={{ xs: 1, sm: 1, md: 2 }}
      size="small"
      items={[
        { key: "status", label: t("federation.status"), children: <FederatedStatusTag status={value.status} /> },
        { key: "mode", label: t("federation.mode"), children: t(`federation.modes.${value.mode}`) },
        { key: "number", label: t("federation.number"), children: value.number },
        {
          key: "competentNumber",
          label: t("federation.competentNumber"),
          children: value.competentNumber ?? t("federation.notYetFiled"),
        },
        { key: "origin", label: t("federation.origin"), children: value.originName },
        { key: "competent", label: t("federation.competent"), children: value.competentName },
      ]}
    />
  );
}

/** 我的跨省办件: a case handed over from here, as the competent node reports it. */
export default function FederatedCasePage() {
  const { t } = useTranslation();
  const loose = t as unknown as LooseT;
  const { id = "" } = useParams();
  const query = useQuery(federatedCaseQuery(id));
  const language = currentLanguage();
  usePageTitle(query.data ? query.data.serviceName : t("federation.caseTitle"));
  const back = (
    <Link to="/me" className="tb-back-link">
      <ArrowLeftOutlined aria-hidden /> {t("federation.backToMe")}
    </Link>
  );
  if (!query.isSuccess) return <PageQueryState query={query} back={back} notFound={t("federation.notFound")} />;
  const value = query.data;
  const refusal = value.refusal as { error?: string; reason?: string } | null;
  return (
    <div className="tb-container tb-page">
      {back}
      <p className="tb-muted">{t("federation.caseTitle")}</p>
      <h1 className="tb-page-title">{value.serviceName}</h1>
      {value.status === "refused" && (
        <Alert
          type="error"
          showIcon
          role="alert"
          title={t("federation.refusedTitle", { region: value.competentName })}
          description={refusal?.error ?? refusal?.reason}
          className="tb-form-summary"
        />
      )}
      <Card className="tb-guide-section">
        <Details value={value} />
      </Card>
      <Card className="tb-guide-section">
        <section aria-labelledby="federated-timeline">
          <h2 id="federated-timeline" className="tb-card-title">
            {t("federation.timeline")}
          </h2>
          {value.timeline.length === 0 ? (
            <p className="tb-muted">{t("federation.timelineEmpty", { region: value.competentName })}</p>
          ) : (
            <Timeline
              items={value.timeline.map((step) => ({
                key: step.seq,
                children: (
                  <div>
                    <strong>{loose([`actionType.${step.type}`], { defaultValue: step.type })}</strong>{" "}
                    <FederatedStatusTag status={step.status} />
                    <div className="tb-muted">
                      {value.competentName} · {formatDateTime(step.at, language)}
                    </div>
                    {step.reason && <div>{step.reason}</div>}
                  </div>
                ),
              }))}
            />
          )}
        </section>
      </Card>
      <Card className="tb-guide-section">
        <section aria-labelledby="federated-messages">
          <h2 id="federated-messages" className="tb-card-title">
            {t("federation.messages")}
          </h2>
          <p className="tb-muted">
            {t("federation.messagesLead")} {t("federation.messageCount", { count: value.messages.length })}
          </p>
          <ul className="tb-plain-list">
            {value.messages.map((m) => (
              <li key={m.id} className="tb-check">
                <code>{m.type}</code> · {t(`federation.direction.${m.direction}`)} · {formatDateTime(m.at, language)} ·{" "}
                {m.status === "pending" ? t("federation.pending") : t("federation.delivered")}
                {m.ledgerIndex !== null && <span className="tb-muted"> · #{m.ledgerIndex}</span>}
              </li>
            ))}
          </ul>
        </section>
      </Card>
    </div>
  );
}
