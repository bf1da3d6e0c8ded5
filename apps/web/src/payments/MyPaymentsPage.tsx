// 我的缴费与票据: the resident's payments, refunds and e-invoices.
import { useQuery } from "@tanstack/react-query";
import type { Payment } from "@tongban/contracts";
import { Card, Flex, Tag } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { formatDateTime } from "../format.ts";
import { currentLanguage } from "../i18n/index.ts";
import { QueryState } from "../layout/QueryState.tsx";
import { usePageTitle } from "../usePageTitle.ts";
import { myPaymentsQuery, yuan } from "./api.ts";

function PaymentCard({ payment }: { payment: Payment }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  return (
    <Card className="tb-payment" data-payment={payment.number}>
      <Flex gap={8} wrap align="baseline">
        <h2 className="tb-card-title">{payment.serviceName}</h2>
        <Tag className={`tb-tone tb-tone-${payment.status === "paid" ? "green" : "orange"}`}>
          {t(`payments.status.${payment.status}`)}
        </Tag>
      </Flex>
      <p className="tb-muted">
        <Link to={`/applications/${payment.applicationId}`}>
          {t("payments.mine.case", { number: payment.applicationNumber })}
        </Link>{" "}
        · {payment.departmentName}
      </p>
      <p>
        <strong>{yuan(payment.amountFen)}</strong>
        {payment.paidAt && ` · ${t("payments.payment.paidAt")} ${formatDateTime(payment.paidAt, language)}`}
        {payment.refundedFen > 0 && ` · ${t("payments.payment.refunded")} ${yuan(payment.refundedFen)}`}
      </p>
      {payment.invoices.length > 0 && (
        <>
          <h3 className="tb-card-subtitle">{t("payments.payment.invoices")}</h3>
          <ul className="tb-guide-list">
            {payment.invoices.map((invoice) => (
              <li key={invoice.id}>
                <Link to={`/me/invoices/${invoice.id}`}>
                  {invoice.kind === "red" ? t("payments.payment.red") : t("payments.payment.blue")} {invoice.number}
                </Link>{" "}
                {yuan(invoice.amountFen)}
              </li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}

export default function MyPaymentsPage() {
  const { t } = useTranslation();
  usePageTitle(t("payments.mine.title"));
  const query = useQuery(myPaymentsQuery());
  return (
    <div className="tb-page">
      <h1 className="tb-page-title">{t("payments.mine.title")}</h1>
      <p className="tb-muted">{t("payments.mine.lead")}</p>
      <QueryState query={query} empty={t("payments.mine.empty")} emptyInCard>
        {(payments) => (
          <Flex vertical gap={16}>
            {payments.map((payment) => (
              <PaymentCard key={payment.id} payment={payment} />
            ))}
          </Flex>
        )}
      </QueryState>
    </div>
  );
}
