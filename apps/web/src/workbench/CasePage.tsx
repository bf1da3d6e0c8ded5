import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { ActionRequest, ActionType, Application, ServiceItemFields } from "@tongban/contracts";
import { Alert, App, Button, Card, Flex, Form, Input, Modal, Radio, Skeleton } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import type { z } from "zod";
import { act, applicationQuery } from "../api/applications.ts";
import { isApiError } from "../api/client.ts";
import { serviceQuery } from "../api/services.ts";
import { useSession } from "../api/session.ts";
import { Answers } from "../applications/ApplicationPage.tsx";
import { CaseFacts, CaseTimeline, targetName } from "../applications/CaseView.tsx";
import { CrossProvinceCard } from "../federation/CrossProvinceCard.tsx";
import { errorMessage, fieldMessage } from "../forms/errors.ts";
import { NativeSelect } from "../forms/NativeSelect.tsx";
import { StaffFeeCard } from "../payments/StaffFeeCard.tsx";
import { usePageTitle } from "../usePageTitle.ts";

type Item = z.infer<typeof ServiceItemFields>;
type StaffActionType = Exclude<ActionType, "submit" | "supplement" | "withdraw">;
const staffActions: StaffActionType[] = [
  "claim",
  "accept",
  "request_supplement",
  "complete_step",
  "approve",
  "deliver",
  "suspend",
  "resume",
  "refuse_acceptance",
  "reject",
  "note",
];
const danger = new Set<StaffActionType>(["refuse_acceptance", "reject"]);

interface ActionValues {
  opinion?: string;
  reason?: string;
  legalBasis?: string;
  text?: string;
  method?: "online" | "post" | "window";
  items?: { target?: string; problem?: string }[];
  /** For a service with fees: how many of each fee line are charged (受理时核定). */
  fees?: string[];
}

function toRequest(type: StaffActionType, v: ActionValues): ActionRequest {
  switch (type) {
    case "note":
      return { type, text: v.text ?? "" };
    case "accept": {
      const fees = (v.fees ?? [])
        .map((quantity, line) => ({ line, quantity: Number(quantity) }))
        .filter((choice) => Number.isInteger(choice.quantity) && choice.quantity > 0);
      return { type, ...(v.opinion ? { opinion: v.opinion } : {}), ...(fees.length > 0 ? { fees } : {}) };
    }
    case "refuse_acceptance":
    case "reject":
      return { type, reason: v.reason ?? "", legalBasis: v.legalBasis ?? "" };
    case "request_supplement":
      return {
        type,
        items: (v.items ?? []).map((i) => ({ target: i.target ?? "", problem: i.problem ?? "" })),
      };
    case "complete_step":
    case "approve":
      return { type, opinion: v.opinion ?? "" };
    case "deliver":
      return { type, method: v.method ?? "online" };
    case "suspend":
      return { type, reason: v.reason ?? "" };
    default:
      return { type };
  }
}

/** The fields each action asks for; an action without any runs at once. */
function ActionFields({ type, item }: { type: StaffActionType; item: Item }) {
  const { t } = useTranslation();
  const required = { required: true, message: t("validation.any.REQUIRED") };
  const long = { min: 2, message: t("validation.any.TOO_SHORT") };
  if (type === "note")
    return (
      <Form.Item name="text" label={t("queue.text")} rules={[required]}>
        <Input.TextArea rows={3} maxLength={2000} />
      </Form.Item>
    );
  if (type === "accept" || type === "complete_step" || type === "approve")
    return (
      <>
        <Form.Item name="opinion" label={t("queue.opinion")} rules={type === "accept" ? [] : [required, long]}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
        {type === "accept" && item.fees.length > 0 && (
          <fieldset className="tb-supplement-row">
            <legend>{t("payments.accept.legend")}</legend>
            <p className="tb-muted">{t("payments.accept.lead")}</p>
            {item.fees.map((fee, line) => (
              <Form.Item
                key={fee.name}
                name={["fees", line]}
                label={`${fee.name}（¥${fee.amountYuan.toFixed(2)}）`}
                initialValue={line === 0 ? "1" : "0"}
                rules={[{ pattern: /^\d{1,2}$/, message: t("payments.accept.quantity") }]}
              >
                <Input inputMode="numeric" maxLength={2} />
              </Form.Item>
            ))}
          </fieldset>
        )}
      </>
    );
  if (type === "refuse_acceptance" || type === "reject")
    return (
      <>
        <Form.Item name="reason" label={t("queue.reason")} rules={[required, long]}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
        <Form.Item name="legalBasis" label={t("queue.legalBasis")} rules={[required, long]}>
          <Input maxLength={500} />
        </Form.Item>
      </>
    );
  if (type === "suspend")
    return (
      <Form.Item name="reason" label={t("queue.reason")} rules={[required, long]}>
        <Input.TextArea rows={3} maxLength={2000} />
      </Form.Item>
    );
  if (type === "deliver")
    return (
      <Form.Item name="method" label={t("queue.method")} rules={[required]} initialValue="online">
        <Radio.Group
          options={(["online", "post", "window"] as const).map((m) => ({ value: m, label: t(`deliveryMethod.${m}`) }))}
        />
      </Form.Item>
    );
  if (type === "request_supplement") {
    const targets = [
      ...item.materials.map((m) => ({ value: m.code, label: targetName(item, m.code) })),
      ...item.form.ui.order.map((f) => ({ value: `form.${f}`, label: targetName(item, `form.${f}`) })),
    ];
    return (
      <Form.List name="items" initialValue={[{}]}>
        {(fields, { add, remove }) => (
          <>
            {fields.map((field, index) => (
              <fieldset key={field.key} className="tb-supplement-row">
                <legend>{t("queue.itemLabel", { n: index + 1 })}</legend>
                <Form.Item name={[field.name, "target"]} label={t("queue.target")} rules={[required]}>
                  <NativeSelect placeholder="" options={targets} />
                </Form.Item>
                <Form.Item name={[field.name, "problem"]} label={t("queue.problem")} rules={[required, long]}>
                  <Input maxLength={500} />
                </Form.Item>
                {fields.length > 1 && (
                  <Button icon={<DeleteOutlined aria-hidden />} onClick={() => remove(field.name)}>
                    {t("queue.removeItem", { n: index + 1 })}
                  </Button>
                )}
              </fieldset>
            ))}
            <Button icon={<PlusOutlined aria-hidden />} onClick={() => add({})}>
              {t("queue.addItem")}
            </Button>
          </>
        )}
      </Form.List>
    );
  }
  return null;
}

function ActionPanel({ application, item }: { application: Application; item: Item }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState<StaffActionType | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<ActionValues>();
  const allowed = staffActions.filter((a) => application.allowedActions.includes(a));
  const key = applicationQuery(application.id).queryKey;

  const run = async (type: StaffActionType, values: ActionValues) => {
    setBusy(true);
    setError(null);
    try {
      const next = await act(application.id, toRequest(type, values));
      queryClient.setQueryData(key, next);
      void queryClient.invalidateQueries({ queryKey: ["applications", "list"] });
      // What hangs off the case (its fee, assessed at acceptance) may have changed with it.
      void queryClient.invalidateQueries({ queryKey: ["case", application.id] });
      setOpen(null);
      form.resetFields();
      void message.success(t("queue.done", { action: t(`staffAction.${type}`) }));
    } catch (failure) {
      if (isApiError(failure) && failure.code === "ACTION_NOT_ALLOWED") {
        void queryClient.invalidateQueries({ queryKey: key });
        setOpen(null);
      }
      const text =
        isApiError(failure) && failure.code === "FORBIDDEN"
          ? t("queue.forbidden")
          : isApiError(failure) && failure.fieldIssues.length > 0
            ? [
                errorMessage(t, failure),
                ...failure.fieldIssues.map((i) => `${i.field}: ${fieldMessage(t, "any", i.reason)}`),
              ].join(" ")
            : errorMessage(t, failure);
      setError(text);
    } finally {
      setBusy(false);
    }
  };

  const start = (type: StaffActionType) => {
    if (type === "claim" || type === "resume") return void run(type, {});
    form.resetFields();
    setError(null);
    setOpen(type);
  };

  return (
    <Card>
      <section aria-labelledby="case-actions-title">
        <h2 id="case-actions-title" className="tb-card-title">
          {t("queue.actionsTitle")}
        </h2>
        {error && !open && <Alert type="error" showIcon title={error} role="alert" className="tb-form-summary" />}
        {allowed.length === 0 ? (
          <p className="tb-muted">{t("queue.noActions")}</p>
        ) : (
          <Flex gap={8} wrap>
            {allowed.map((type) => (
              <Button
                key={type}
                type={type === "accept" || type === "approve" ? "primary" : "default"}
                danger={danger.has(type)}
                loading={busy && open === null}
                onClick={() => start(type)}
              >
                {t(`staffAction.${type}`)}
              </Button>
            ))}
          </Flex>
        )}
      </section>
      <Modal
        open={open !== null}
        title={open ? t(`staffAction.${open}`) : ""}
        okText={t("common.confirm")}
        cancelText={t("common.cancel")}
        confirmLoading={busy}
        okButtonProps={{ danger: open !== null && danger.has(open) }}
        onOk={() => form.submit()}
        onCancel={() => setOpen(null)}
        destroyOnHidden
      >
        {error && open && <Alert type="error" showIcon title={error} role="alert" className="tb-form-summary" />}
        <Form
          form={form}
          name="case-action"
          layout="vertical"
          onFinish={(values) => open && void run(open, values)}
          preserve={false}
        >
          {open && <ActionFields type={open} item={item} />}
        </Form>
      </Modal>
    </Card>
  );
}

export default function CasePage() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const { user } = useSession();
  // Supervisors come here from their supervision list; window and handling staff from their queue.
  const fromQueue = user?.roles.some((role) => role === "window" || role === "handling") ?? true;
  const back = (
    <p>
      {fromQueue ? (
        <Link to="/workbench/queue">{t("queue.back")}</Link>
      ) : (
        <Link to="/workbench/supervision">{t("supervision.back")}</Link>
      )}
    </p>
  );
  const query = useQuery(applicationQuery(id));
  const service = useQuery({
    ...serviceQuery(query.data?.serviceCode ?? "", query.data?.serviceVersion),
    enabled: Boolean(query.data),
  });
  usePageTitle(query.data ? `${query.data.number} · ${query.data.serviceName}` : t("application.title"));

  if (query.isPending || (query.data && service.isPending)) return <Skeleton active paragraph={{ rows: 10 }} />;
  if (query.isError || service.isError) {
    const failure = query.error ?? service.error;
    return (
      <>
        <Alert
          type="error"
          showIcon
          title={isApiError(failure) && failure.status === 404 ? t("application.notFound") : t("error.loadFailed")}
          description={isApiError(failure) && failure.status === 404 ? undefined : errorMessage(t, failure)}
        />
        {back}
      </>
    );
  }
  const application = query.data;
  const item = service.data?.item;
  if (!item) return null;
  return (
    <>
      {back}
      <h1 className="tb-page-title">{application.serviceName}</h1>
      <p className="tb-muted">
        {application.number} · {t("queue.applicant")}: {application.applicantName}
      </p>
      <Flex vertical gap={16}>
        <Card>
          <section aria-labelledby="case-facts-title">
            <h2 id="case-facts-title" className="tb-card-title">
              {t("application.status")}
            </h2>
            <CaseFacts application={application} />
          </section>
        </Card>
        <CrossProvinceCard application={application} />
        {item.fees.length > 0 && <StaffFeeCard applicationId={application.id} />}
        <ActionPanel application={application} item={item} />
        <Answers application={application} item={item} staff />
        <Card>
          <section aria-labelledby="timeline-title">
            <h2 id="timeline-title" className="tb-card-title">
              {t("application.timeline")}
            </h2>
            <CaseTimeline application={application} item={item} />
          </section>
        </Card>
      </Flex>
    </>
  );
}
