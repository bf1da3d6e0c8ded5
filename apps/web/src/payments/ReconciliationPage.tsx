// 每日对账 for administrators: run a China day's reconciliation and read its differences.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReconciliationReport } from "@tongban/contracts";
import { Alert, Button, Card, Descriptions, Flex, Input } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../format.ts";
import { errorMessage } from "../forms/errors.ts";
import { currentLanguage } from "../i18n/index.ts";
import { usePageTitle } from "../usePageTitle.ts";
import { reconciliationListQuery, reconciliationReport, runReconciliation, yuan } from "./api.ts";

type LooseT = (key: string, options?: Record<string, unknown>) => string;
const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

function Report({ report }: { report: ReconciliationReport }) {
  const { t } = useTranslation();
  const lt = t as unknown as LooseT;
  const language = currentLanguage();
  const s = report.summary;
  const count = (n: number, fen: number) => t("payments.reconciliation.count", { count: n, amount: yuan(fen) });
  return (
    <Card className="tb-reconciliation" data-day={report.day} data-balanced={String(report.balanced)}>
      <h2 className="tb-card-title">{report.day}</h2>
      <Alert
        type={report.balanced ? "success" : "warning"}
        showIcon
        title={
          report.balanced
            ? t("payments.reconciliation.balanced")
            : t("payments.reconciliation.unbalanced", { count: report.items.length })
        }
      />
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2 }}
        items={[
          { key: "o", label: t("payments.reconciliation.summary.ordersCreated"), children: s.ordersCreated },
          {
            key: "p",
            label: t("payments.reconciliation.summary.paymentsSettled"),
            children: count(s.paymentsSettled, s.paymentsFen),
          },
          {
            key: "gp",
            label: t("payments.reconciliation.summary.gatewayPayments"),
            children: count(s.gatewayPayments, s.gatewayPaymentsFen),
          },
          {
            key: "r",
            label: t("payments.reconciliation.summary.refundsSettled"),
            children: count(s.refundsSettled, s.refundsFen),
          },
          {
            key: "gr",
            label: t("payments.reconciliation.summary.gatewayRefunds"),
            children: count(s.gatewayRefunds, s.gatewayRefundsFen),
          },
          {
            key: "g",
            label: t("payments.reconciliation.generatedAt"),
            children: formatDateTime(report.generatedAt, language),
          },
        ]}
      />
      {report.items.length > 0 && (
        <div className="tb-table-scroll">
          <table className="tb-fee-table">
            <caption className="tb-visually-hidden">
              {t("payments.reconciliation.unbalanced", { count: report.items.length })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t("payments.reconciliation.kind")}</th>
                <th scope="col">{t("payments.reconciliation.reference")}</th>
                <th scope="col">{t("payments.reconciliation.local")}</th>
                <th scope="col">{t("payments.reconciliation.gateway")}</th>
                <th scope="col">{t("payments.reconciliation.detail")}</th>
              </tr>
            </thead>
            <tbody>
              {report.items.map((item) => (
                <tr key={`${item.kind}-${item.reference}`} data-kind={item.kind}>
                  <td>{lt(`payments.reconciliation.kinds.${item.kind}`)}</td>
                  <td className="tb-mono">{item.reference}</td>
                  <td>{item.localFen === null ? "—" : yuan(item.localFen)}</td>
                  <td>{item.gatewayFen === null ? "—" : yuan(item.gatewayFen)}</td>
                  <td>{item.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

export default function ReconciliationPage() {
  const { t } = useTranslation();
  usePageTitle(t("payments.reconciliation.title"));
  const queryClient = useQueryClient();
  const list = useQuery(reconciliationListQuery());
  const [day, setDay] = useState(chinaToday());
  const [report, setReport] = useState<ReconciliationReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const language = currentLanguage();

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setReport(await runReconciliation(day));
      await queryClient.invalidateQueries({ queryKey: ["admin", "reconciliation"] });
    } catch (failure) {
      setError(errorMessage(t, failure));
    } finally {
      setBusy(false);
    }
  };
  const open = async (which: string) => {
    setError(null);
    try {
      setReport(await reconciliationReport(which));
      setDay(which);
    } catch (failure) {
      setError(errorMessage(t, failure));
    }
  };

  return (
    <div className="tb-page">
      <h1 className="tb-page-title">{t("payments.reconciliation.title")}</h1>
      <p className="tb-muted">{t("payments.reconciliation.lead")}</p>
      <Flex vertical gap={16}>
        <Card>
          <Flex gap={8} wrap align="end">
            <div>
              <label htmlFor="reconciliation-day" className="tb-field-label">
                {t("payments.reconciliation.day")}
              </label>
              <Input id="reconciliation-day" type="date" value={day} onChange={(e) => setDay(e.target.value)} />
            </div>
            <Button type="primary" loading={busy} onClick={run}>
              {busy ? t("payments.reconciliation.running") : t("payments.reconciliation.run")}
            </Button>
          </Flex>
        </Card>
        <div aria-live="polite">
          {error && <Alert type="error" showIcon title={error} role="alert" />}
          {report && <Report report={report} />}
        </div>
        <Card>
          <h2 className="tb-card-title">{t("payments.reconciliation.reports")}</h2>
          {list.data && list.data.length === 0 && <p className="tb-muted">{t("payments.reconciliation.empty")}</p>}
          <ul className="tb-guide-list">
            {list.data?.map((item) => (
              <li key={item.day}>
                <Button type="link" onClick={() => void open(item.day)}>
                  {item.day}
                </Button>{" "}
                {item.balanced
                  ? t("payments.reconciliation.balanced")
                  : t("payments.reconciliation.unbalanced", { count: item.differences })}{" "}
                · {formatDateTime(item.generatedAt, language)}
              </li>
            ))}
          </ul>
        </Card>
      </Flex>
    </div>
  );
}
