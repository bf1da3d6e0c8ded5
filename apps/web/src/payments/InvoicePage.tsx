// One e-invoice as its payer sees it: printable, with its check code and verification link, and the
// signed document to download.
import { DownloadOutlined, PrinterOutlined, SafetyCertificateOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Descriptions, Flex, Skeleton, Tag } from "antd";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { formatDateTime } from "../format.ts";
import { errorMessage } from "../forms/errors.ts";
import { currentLanguage } from "../i18n/index.ts";
import { usePageTitle } from "../usePageTitle.ts";
import { invoiceDocumentUrl, invoiceQuery, yuan } from "./api.ts";
import { FeeLines } from "./FeeLines.tsx";

export default function InvoicePage() {
  const { id = "" } = useParams();
  const { t } = useTranslation();
  const language = currentLanguage();
  const query = useQuery(invoiceQuery(id));
  const invoice = query.data;
  const title = invoice?.kind === "red" ? t("payments.invoice.titleRed") : t("payments.invoice.title");
  usePageTitle(invoice ? `${title} ${invoice.number}` : t("payments.invoice.title"));
  if (query.isPending) return <Skeleton active />;
  if (query.isError || !invoice)
    return (
      <div className="tb-page">
        <h1 className="tb-page-title">{t("payments.invoice.title")}</h1>
        <Alert type="error" showIcon title={errorMessage(t, query.error)} />
      </div>
    );
  const verifyPath = `/verify-invoice${new URL(invoice.verifyUrl).search}`;
  return (
    <div className="tb-page">
      <p>
        <Link to="/me/payments" className="tb-back-link">
          {t("payments.mine.title")}
        </Link>
      </p>
      <Card className={`tb-invoice tb-invoice-${invoice.kind}`} data-invoice={invoice.number}>
        <Flex gap={8} wrap align="baseline">
          <h1 className="tb-page-title">{title}</h1>
          {invoice.kind === "red" && <Tag className="tb-tone tb-tone-red">{t("payments.payment.red")}</Tag>}
        </Flex>
        <Descriptions
          column={{ xs: 1, sm: 2 }}
          size="small"
          items={[
            { key: "number", label: t("payments.invoice.number"), children: invoice.number },
            {
              key: "check",
              label: t("payments.invoice.checkCode"),
              children: <span className="tb-mono">{invoice.checkCode}</span>,
            },
            { key: "issuer", label: t("payments.invoice.issuer"), children: invoice.issuerName },
            { key: "payer", label: t("payments.invoice.payer"), children: invoice.payerName },
            {
              key: "at",
              label: t("payments.invoice.issuedAt"),
              children: <time dateTime={invoice.issuedAt}>{formatDateTime(invoice.issuedAt, language)}</time>,
            },
            { key: "case", label: t("payments.invoice.application"), children: invoice.applicationNumber },
            { key: "payment", label: t("payments.invoice.payment"), children: invoice.paymentNumber },
            ...(invoice.originalId
              ? [
                  {
                    key: "original",
                    label: t("payments.invoice.original"),
                    children: <Link to={`/me/invoices/${invoice.originalId}`}>{invoice.originalNumber}</Link>,
                  },
                ]
              : []),
            ...(invoice.reversedFen !== 0
              ? [{ key: "reversed", label: t("payments.invoice.reversed"), children: yuan(invoice.reversedFen) }]
              : []),
            {
              key: "ledger",
              label: t("payments.invoice.ledger"),
              children:
                invoice.ledgerIndex === null
                  ? t("payments.invoice.ledgerPending")
                  : t("payments.invoice.ledgerIndex", { index: invoice.ledgerIndex }),
            },
            {
              key: "reimbursed",
              label: t("payments.invoice.reimbursement"),
              children: invoice.reimbursement
                ? t("payments.invoice.reimbursed", {
                    name: invoice.reimbursement.organisationName,
                    time: formatDateTime(invoice.reimbursement.claimedAt, language),
                  })
                : t("payments.invoice.notReimbursed"),
            },
          ]}
        />
        <FeeLines lines={invoice.lines} caption={t("payments.fee.lines")} />
        <Flex gap={8} wrap className="tb-print-hidden">
          <Button icon={<DownloadOutlined />} href={invoiceDocumentUrl(invoice.id)} download>
            {t("payments.invoice.download")}
          </Button>
          <Button icon={<PrinterOutlined />} onClick={() => window.print()}>
            {t("payments.invoice.print")}
          </Button>
          <Link to={verifyPath} className="ant-btn ant-btn-default">
            <SafetyCertificateOutlined /> {t("payments.invoice.verify")}
          </Link>
        </Flex>
      </Card>
    </div>
  );
}
