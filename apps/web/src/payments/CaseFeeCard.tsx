// The resident's fee on the case page (phone first): what is owed, a button to the gateway's cashier,
// and — back from it — the payment's status, asking the gateway (order query) while the notification
// has not come; then the e-invoice.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { Payment } from "@tongban/contracts";
import { Alert, Button, Card, Flex, Tag } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { isApiError } from "../api/client.ts";
import { errorMessage } from "../forms/errors.ts";
import { caseFeeQuery, queryPayment, startPayment, yuan } from "./api.ts";
import { FeeLines } from "./FeeLines.tsx";

export function CaseFeeCard({ applicationId }: { applicationId: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const query = useQuery(caseFeeQuery(applicationId));
  const [params] = useSearchParams();
  const returning = params.get("payment");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [checking, setChecking] = useState(false);

  const fee = query.data;
  const pending = fee?.payments.find((p) => p.status === "pending");
  const paid = fee?.payments.find((p) => p.status === "paid");

  // Back from the cashier: ask the gateway a few times until the payment settles.
  useEffect(() => {
    if (!returning || !fee || fee.status === "paid") return;
    let stop = false;
    let tries = 0;
    setChecking(true);
    const tick = async () => {
      tries += 1;
      try {
        const payment = await queryPayment(returning);
        if (payment.status !== "pending" || tries >= 8) {
          await queryClient.invalidateQueries({ queryKey: ["case", applicationId] });
          if (!stop) setChecking(false);
          return;
        }
      } catch {
        if (!stop) setChecking(false);
        return;
      }
      if (!stop) setTimeout(tick, 1500);
    };
    void tick();
    return () => {
      stop = true;
    };
  }, [returning, fee, applicationId, queryClient]);

  if (query.isPending) return null;
  if (query.isError) {
    // No fee for this case (a free service, or not yet accepted): nothing to show.
    if (isApiError(query.error) && (query.error.code === "FEE_NOT_DUE" || query.error.status === 404)) return null;
    return <Alert type="error" showIcon title={errorMessage(t, query.error)} />;
  }
  if (!fee) return null;

  const pay = async () => {
    setBusy(true);
    setError(null);
    try {
      const payment: Payment = await startPayment(applicationId);
      if (payment.payUrl) window.location.assign(payment.payUrl);
    } catch (failure) {
      setError(errorMessage(t, failure));
      setBusy(false);
    }
  };
  const checkAgain = async () => {
    if (!pending) return;
    setChecking(true);
    try {
      await queryPayment(pending.id);
      await queryClient.invalidateQueries({ queryKey: ["case", applicationId] });
    } catch (failure) {
      setError(errorMessage(t, failure));
    } finally {
      setChecking(false);
    }
  };

  return (
    <Card className="tb-fee" data-fee-status={fee.status}>
      <section aria-labelledby="fee-title">
        <Flex gap={8} wrap align="baseline">
          <h2 id="fee-title" className="tb-card-title">
            {t("payments.fee.title")}
          </h2>
          <Tag className={`tb-tone tb-tone-${fee.status === "paid" ? "green" : "orange"}`}>
            {t(`payments.fee.${fee.status}`)}
          </Tag>
        </Flex>
        <p className="tb-muted">{t("payments.fee.lead")}</p>
        <FeeLines lines={fee.lines} caption={t("payments.fee.lines")} />
        {error && <Alert type="error" showIcon title={error} role="alert" className="tb-form-summary" />}
        <div aria-live="polite" className="tb-fee-status">
          {checking && <p>{t("payments.fee.checking")}</p>}
          {paid && (
            <>
              <Alert type="success" showIcon title={t("payments.fee.paidNote")} />
              <ul className="tb-guide-list">
                {paid.invoices.map((invoice) => (
                  <li key={invoice.id}>
                    <Link to={`/me/invoices/${invoice.id}`}>
                      {t("payments.fee.viewInvoice", { number: invoice.number })}
                    </Link>
                    {invoice.kind === "red" ? ` (${t("payments.payment.red")} ${yuan(invoice.amountFen)})` : ""}
                  </li>
                ))}
              </ul>
            </>
          )}
          {!paid && pending && !checking && returning && <p>{t("payments.fee.pendingNote")}</p>}
        </div>
        {fee.status === "due" &&
          (fee.payable ? (
            <Flex vertical gap={8} className="tb-fee-actions">
              <Button type="primary" size="large" block loading={busy} onClick={pay}>
                {busy ? t("payments.fee.paying") : t("payments.fee.pay", { amount: yuan(fee.amountFen) })}
              </Button>
              {pending && (
                <Button block onClick={checkAgain} loading={checking}>
                  {t("payments.fee.checkAgain")}
                </Button>
              )}
            </Flex>
          ) : (
            <p className="tb-muted">{t("payments.fee.notPayable")}</p>
          ))}
        <p>
          <Link to="/me/payments">{t("payments.fee.myPayments")}</Link>
        </p>
      </section>
    </Card>
  );
}
