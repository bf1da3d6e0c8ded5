import { ArrowLeftOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { FederatedCase, IdentityCheck } from "@tongban/contracts";
import { Alert, App, Button, Card, Checkbox, Descriptions, Form, Tag, Timeline } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { isApiError } from "../api/client.ts";
import { deliverFederated, federatedCaseQuery } from "../api/federation.ts";
import { formatDateTime } from "../format.ts";
import { errorMessage } from "../forms/errors.ts";
import { NativeSelect } from "../forms/NativeSelect.tsx";
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

export function Details({ value }: { value: FederatedCase }) {
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

const documents = ["resident_id_card", "temporary_id_card", "business_licence", "agent_authorisation"] as const;
const methods = ["card_reader", "face_match", "visual_inspection"] as const;

/** 异地代收: the identity check a window records (document, method, and its explicit confirmation). */
export function IdentityCheckFields({ prefix, confirmLabel }: { prefix: string; confirmLabel: string }) {
  const { t } = useTranslation();
  return (
    <>
      <Form.Item name={[prefix, "document"]} label={t("federation.remote.document")} initialValue="resident_id_card">
        <NativeSelect options={documents.map((d) => ({ value: d, label: t(`federation.documents.${d}`) }))} />
      </Form.Item>
      <Form.Item name={[prefix, "method"]} label={t("federation.remote.method")} initialValue="card_reader">
        <NativeSelect options={methods.map((m) => ({ value: m, label: t(`federation.methods.${m}`) }))} />
      </Form.Item>
      <Form.Item name={[prefix, "verified"]} valuePropName="checked">
        <Checkbox>{confirmLabel}</Checkbox>
      </Form.Item>
    </>
  );
}

function checkText(t: LooseT, check: IdentityCheck) {
  return `${t(`federation.documents.${check.document}`)} · ${t(`federation.methods.${check.method}`)}`;
}

/** 异地代收: the receiving window hands the decided result to the applicant. */
function DeliverCard({ value }: { value: FederatedCase }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const values = form.getFieldsValue(true) as { recipientCheck: IdentityCheck; note?: string };
      await deliverFederated(value.id, {
        recipientCheck: {
          ...values.recipientCheck,
          verified: values.recipientCheck.verified === true,
        } as IdentityCheck,
        note: values.note?.trim() || null,
      });
      void queryClient.invalidateQueries({ queryKey: ["federation"] });
      void message.success(t("federation.delivered_ok", { region: value.competentName }));
    } catch (error) {
      if (isApiError(error) && error.fieldIssues.some((issue) => issue.field.startsWith("recipientCheck")))
        form.setFields([{ name: ["recipientCheck", "verified"], errors: [t("federation.confirmRecipient")] }]);
      else setProblem(errorMessage(t, error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card className="tb-guide-section">
      <section aria-labelledby="federated-deliver">
        <h2 id="federated-deliver" className="tb-card-title">
          {t("federation.deliveryTitle")}
        </h2>
        <p>{t("federation.deliverLead", { region: value.competentName })}</p>
        {problem && <Alert type="error" showIcon role="alert" title={problem} className="tb-form-summary" />}
        <Form form={form} name="federated-deliver" layout="vertical" onFinish={() => void submit()} disabled={busy}>
          <IdentityCheckFields prefix="recipientCheck" confirmLabel={t("federation.recipientVerified")} />
          <Button type="primary" htmlType="submit" loading={busy}>
            {t("federation.deliver")}
          </Button>
        </Form>
      </section>
    </Card>
  );
}

/** 多地联办: every linked step, where it runs and how far it got. */
export function JointSteps({ value }: { value: FederatedCase }) {
  const { t } = useTranslation();
  if (!value.jointSteps) return null;
  return (
    <Card className="tb-guide-section">
      <section aria-labelledby="federated-joint">
        <h2 id="federated-joint" className="tb-card-title">
          {t("federation.jointSteps")}
        </h2>
        <ol className="tb-plain-list">
          {value.jointSteps.map((step) => (
            <li key={step.key} className="tb-check">
              <strong>{step.name}</strong> <FederatedStatusTag status={step.status} />
              <div className="tb-muted">
                {t("federation.stepAt", { region: step.regionName })}
                {step.number && <> · {t("federation.stepNumber", { number: step.number })}</>}
              </div>
            </li>
          ))}
        </ol>
      </section>
    </Card>
  );
}

/** 异地代收: what the receiving window recorded, and the delivery there. */
export function ReceptionCard({ value }: { value: FederatedCase }) {
  const { t } = useTranslation();
  const loose = t as unknown as LooseT;
  const language = currentLanguage();
  const reception = value.reception;
  if (!reception) return null;
  return (
    <Card className="tb-guide-section">
      <section aria-labelledby="federated-reception">
        <h2 id="federated-reception" className="tb-card-title">
          {t("federation.reception")}
        </h2>
        <Descriptions
          column={1}
          size="small"
          items={[
            {
              key: "by",
              label: t("federation.receivedBy"),
              children: `${reception.departmentName} ${reception.officialName} · ${formatDateTime(reception.at, language)}`,
            },
            {
              key: "identity",
              label: t("federation.identityCheck"),
              children: checkText(loose, reception.identityCheck),
            },
            {
              key: "materials",
              label: t("federation.materialsReceived"),
              children: (
                <ul className="tb-plain-list">
                  {reception.materials.map((m) => (
                    <li key={m.sha256}>
                      {m.name}：{m.fileName}（{m.originalSeen ? t("federation.originalSeen") : t("federation.copyOnly")}
                      ）
                    </li>
                  ))}
                </ul>
              ),
            },
            ...(reception.note
              ? [{ key: "note", label: t("federation.receptionNote"), children: reception.note }]
              : []),
            ...(value.delivery
              ? [
                  {
                    key: "delivery",
                    label: t("federation.deliveryTitle"),
                    children: `${value.delivery.departmentName} ${value.delivery.officialName} · ${checkText(loose, value.delivery.recipientCheck)} · ${formatDateTime(value.delivery.at, language)}`,
                  },
                ]
              : []),
          ]}
        />
      </section>
    </Card>
  );
}

/**
 * A cross-province case as this node follows it: 我的跨省办件 for the applicant, or 异地代收 for the
 * receiving window (`staff`), with the window's record and the delivery.
 */
export default function FederatedCasePage({ staff = false }: { staff?: boolean }) {
  const { t } = useTranslation();
  const loose = t as unknown as LooseT;
  const { id = "" } = useParams();
  const query = useQuery(federatedCaseQuery(id));
  const language = currentLanguage();
  usePageTitle(query.data ? query.data.serviceName : t("federation.caseTitle"));
  const back = (
    <Link to={staff ? "/workbench/remote" : "/me"} className="tb-back-link">
      <ArrowLeftOutlined aria-hidden /> {staff ? t("federation.backToRemote") : t("federation.backToMe")}
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
      {value.canDeliver && <DeliverCard value={value} />}
      <JointSteps value={value} />
      <ReceptionCard value={value} />
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
                key: `${step.local ? "l" : "r"}${step.seq}`,
                children: (
                  <div>
                    {step.stepKey && value.jointSteps && (
                      <span className="tb-muted">
                        {value.jointSteps.find((s) => s.key === step.stepKey)?.name ?? step.stepKey} ·{" "}
                      </span>
                    )}
                    <strong>{loose([`actionType.${step.type}`], { defaultValue: step.type })}</strong>{" "}
                    <FederatedStatusTag status={step.status} />
                    <div className="tb-muted">
                      {step.regionName ?? value.competentName} · {formatDateTime(step.at, language)}
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
