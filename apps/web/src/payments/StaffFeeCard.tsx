// The case's fee on the staff workbench: what was assessed and paid, the invoices, and the refund
// form (全额或部分退费, with a reason) for window and handling staff of the charging department.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { Payment } from "@tongban/contracts";
import { Alert, Button, Card, Descriptions, Form, Input, Tag } from "antd";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { isApiError } from "../api/client.ts";
import { formatDateTime } from "../format.ts";
import { errorMessage } from "../forms/errors.ts";
import { currentLanguage } from "../i18n/index.ts";
import { caseFeeQuery, queryPayment, refundPayment, yuan } from "./api.ts";
import { FeeLines } from "./FeeLines.tsx";

function RefundForm({ payment, onDone }: { payment: Payment; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ amount: string; reason: string }>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per intended refund: a double click or a retry after a lost answer refunds once.
  const key = useRef(crypto.randomUUID());
  const submit = async (values: { amount: string; reason: string }) => {
    const amountFen = Math.round(Number.parseFloat(values.amount) * 100);
    setBusy(true);
    setError(null);
    try {
      await refundPayment(payment.id, { amountFen, reason: values.reason.trim() }, key.current);
      key.current = crypto.randomUUID();
      form.resetFields();
      onDone(t("payments.refund.done", { amount: yuan(amountFen) }));
    } catch (failure) {
      setError(errorMessage(t, failure));
      if (isApiError(failure) && failure.status < 500) key.current = crypto.randomUUID();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form form={form} layout="vertical" onFinish={submit} className="tb-refund-form" requiredMark>
      <h3 className="tb-card-subtitle">{t("payments.refund.title")}</h3>
      <p className="tb-muted">{t("payments.refund.lead")}</p>
      {error && <Alert type="error" showIcon title={error} role="alert" className="tb-form-summary" />}
      <Form.Item
        label={t("payments.refund.amount")}
        name="amount"
        initialValue={(payment.refundableFen / 100).toFixed(2)}
        rules={[
          {
            validator: async (_rule, value: string) => {
              const fen = Math.round(Number.parseFloat(value) * 100);
              if (!/^\d+(\.\d{1,2})?$/.test(String(value ?? "").trim()) || fen < 1 || fen > payment.refundableFen)
                throw new Error(t("payments.refund.amountInvalid"));
            },
          },
        ]}
      >
        <Input inputMode="decimal" autoComplete="off" />
      </Form.Item>
      <Form.Item
        label={t("payments.refund.reason")}
        name="reason"
        rules={[{ required: true, min: 2, whitespace: true, message: t("payments.refund.reasonRequired") }]}
      >
        <Input.TextArea rows={2} maxLength={200} placeholder={t("payments.refund.reasonPlaceholder")} />
      </Form.Item>
      <Button type="primary" danger htmlType="submit" loading={busy}>
        {t("payments.refund.submit")}
      </Button>
    </Form>
  );
}

export function StaffFeeCard({ applicationId }: { applicationId: string }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const queryClient = useQueryClient();
  const query = useQuery(caseFeeQuery(applicationId));
  const [notice, setNotice] = useState<string | null>(null);
  if (query.isPending) return null;
  if (query.isError) {
    if (isApiError(query.error) && (query.error.code === "FEE_NOT_DUE" || query.error.status === 404)) return null;
    return <Alert type="error" showIcon title={errorMessage(t, query.error)} />;
  }
  const fee = query.data;
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["case", applicationId, "fee"] });
  const paid = fee.payments.filter((p) => p.status === "paid");
  return (
    <Card className="tb-fee" data-fee-status={fee.status}>
      <section aria-labelledby="staff-fee-title">
        <h2 id="staff-fee-title" className="tb-card-title">
          {t("payments.fee.title")}{" "}
          <Tag className={`tb-tone tb-tone-${fee.status === "paid" ? "green" : "orange"}`}>
            {t(`payments.fee.${fee.status}`)}
          </Tag>
        </h2>
        <FeeLines lines={fee.lines} caption={t("payments.fee.lines")} />
        <div aria-live="polite">{notice && <Alert type="success" showIcon title={notice} />}</div>
        {paid.length === 0 && <p className="tb-muted">{t("payments.refund.none")}</p>}
        {paid.map((payment) => (
          <div key={payment.id} className="tb-payment" data-payment={payment.number}>
            <Descriptions
              size="small"
              column={{ xs: 1, sm: 2 }}
              items={[
                { key: "n", label: t("payments.payment.number"), children: payment.number },
                {
                  key: "p",
                  label: t("payments.payment.paidAt"),
                  children: payment.paidAt ? formatDateTime(payment.paidAt, language) : "—",
                },
                { key: "a", label: t("payments.fee.amount"), children: yuan(payment.amountFen) },
                { key: "r", label: t("payments.payment.refunded"), children: yuan(payment.refundedFen) },
                { key: "f", label: t("payments.payment.refundable"), children: yuan(payment.refundableFen) },
              ]}
            />
            {payment.refunds.length > 0 && (
              <>
                <h3 className="tb-card-subtitle">{t("payments.payment.refunds")}</h3>
                <ul className="tb-guide-list">
                  {payment.refunds.map((r) => (
                    <li key={r.id} data-refund-status={r.status}>
                      {yuan(r.amountFen)} · {t(`payments.refundStatus.${r.status}`)} · {r.reason}
                    </li>
                  ))}
                </ul>
                {payment.refunds.some((r) => r.status === "processing") && (
                  <Button
                    onClick={async () => {
                      await queryPayment(payment.id).catch(() => undefined);
                      await refresh();
                    }}
                  >
                    {t("payments.refund.refresh")}
                  </Button>
                )}
              </>
            )}
            {payment.refundableFen > 0 && (
              <RefundForm
                payment={payment}
                onDone={(message) => {
                  setNotice(message);
                  void refresh();
                }}
              />
            )}
          </div>
        ))}
      </section>
    </Card>
  );
}
