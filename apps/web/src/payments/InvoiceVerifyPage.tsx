// Public e-invoice verification: by number and check code (the link on the invoice fills them in),
// or by the invoice file; says plainly what holds, check by check.
import { CheckCircleFilled, CloseCircleFilled, MinusCircleFilled } from "@ant-design/icons";
import type { InvoiceVerification } from "@tongban/contracts";
import { Alert, Button, Card, Descriptions, Flex, Form, Input } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { useSession } from "../api/session.ts";
import { formatDateTime } from "../format.ts";
import { errorMessage } from "../forms/errors.ts";
import { currentLanguage } from "../i18n/index.ts";
import { usePageTitle } from "../usePageTitle.ts";
import { reimburseInvoice, verifyInvoice, yuan } from "./api.ts";
import { FeeLines } from "./FeeLines.tsx";

type LooseT = (key: string, options?: Record<string, unknown>) => string;

/** 一票一报: an organisation's account marks the verified invoice reimbursed by it, once. */
function Reimburse({ invoiceId, checkCode, onDone }: { invoiceId: string; checkCode: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [reference, setReference] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const claim = async () => {
    setBusy(true);
    try {
      await reimburseInvoice(invoiceId, { checkCode, ...(reference.trim() ? { reference: reference.trim() } : {}) });
      setMessage({ ok: true, text: t("payments.reimburse.done") });
      onDone();
    } catch (failure) {
      setMessage({ ok: false, text: errorMessage(t, failure) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="tb-reimburse">
      <h3 className="tb-card-subtitle">{t("payments.reimburse.title")}</h3>
      <p className="tb-muted">{t("payments.reimburse.lead")}</p>
      <label htmlFor="reimburse-reference" className="tb-field-label">
        {t("payments.reimburse.reference")}
      </label>
      <Input id="reimburse-reference" value={reference} maxLength={60} onChange={(e) => setReference(e.target.value)} />
      <Button type="primary" className="tb-fee-actions" loading={busy} onClick={claim}>
        {t("payments.reimburse.submit")}
      </Button>
      <div aria-live="polite">
        {message && <Alert type={message.ok ? "success" : "error"} showIcon title={message.text} />}
      </div>
    </div>
  );
}

function Result({
  result,
  checkCode,
  onChange,
}: {
  result: InvoiceVerification;
  checkCode: string;
  onChange: () => void;
}) {
  const { user } = useSession();
  const { t } = useTranslation();
  const lt = t as unknown as LooseT;
  const language = currentLanguage();
  return (
    <Card className="tb-verify-result" data-valid={String(result.valid)} data-outcome={result.outcome}>
      <Alert
        type={result.valid ? "success" : "error"}
        showIcon
        title={result.valid ? t("payments.verify.valid") : t("payments.verify.invalid")}
        description={lt(`payments.verify.outcome.${result.outcome}`)}
      />
      <ul className="tb-check-list">
        {result.checks.map((c) => (
          <li key={c.check} className="tb-check" data-check={c.check} data-outcome={c.outcome}>
            {c.outcome === "pass" ? (
              <CheckCircleFilled className="tb-check-pass" aria-hidden />
            ) : c.outcome === "fail" ? (
              <CloseCircleFilled className="tb-check-fail" aria-hidden />
            ) : (
              <MinusCircleFilled aria-hidden />
            )}{" "}
            <strong>{lt(`payments.verify.check.${c.check}`)}</strong>
            <p>{c.detail}</p>
          </li>
        ))}
      </ul>
      {result.invoice && (
        <>
          <Descriptions
            size="small"
            column={{ xs: 1, sm: 2 }}
            items={[
              { key: "n", label: t("payments.invoice.number"), children: result.invoice.number },
              { key: "i", label: t("payments.invoice.issuer"), children: result.invoice.issuerName },
              { key: "p", label: t("payments.invoice.payer"), children: result.invoice.payerName },
              {
                key: "t",
                label: t("payments.invoice.issuedAt"),
                children: formatDateTime(result.invoice.issuedAt, language),
              },
              ...(result.invoice.reversedFen !== 0
                ? [{ key: "r", label: t("payments.invoice.reversed"), children: yuan(result.invoice.reversedFen) }]
                : []),
            ]}
          />
          <FeeLines lines={result.invoice.lines} caption={t("payments.fee.lines")} />
          <p data-reimbursed={String(result.reimbursed)}>
            {result.reimbursed ? t("payments.verify.reimbursed") : t("payments.verify.notReimbursed")}
          </p>
          {user?.kind === "enterprise" &&
            result.valid &&
            !result.reimbursed &&
            result.invoice.kind === "blue" &&
            checkCode && <Reimburse invoiceId={result.invoice.id} checkCode={checkCode} onDone={onChange} />}
        </>
      )}
    </Card>
  );
}

export default function InvoiceVerifyPage() {
  const { t } = useTranslation();
  usePageTitle(t("payments.verify.title"));
  const [params] = useSearchParams();
  const [form] = Form.useForm<{ number: string; checkCode: string }>();
  const [result, setResult] = useState<InvoiceVerification | null>(null);
  const [asked, setAsked] = useState<Parameters<typeof verifyInvoice>[0] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (body: Parameters<typeof verifyInvoice>[0]) => {
    setBusy(true);
    setError(null);
    setAsked(body);
    try {
      setResult(await verifyInvoice(body));
    } catch (failure) {
      setResult(null);
      setError(errorMessage(t, failure));
    } finally {
      setBusy(false);
    }
  };

  const fromLink = { number: params.get("n") ?? "", checkCode: params.get("c") ?? "" };
  // biome-ignore lint/correctness/useExhaustiveDependencies: verify once for the link's values
  useEffect(() => {
    if (fromLink.number && fromLink.checkCode) void run(fromLink);
  }, [fromLink.number, fromLink.checkCode]);

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      const document = JSON.parse(await file.text());
      await run({ document });
    } catch {
      setError(t("payments.verify.fileError"));
    }
  };

  return (
    <div className="tb-page">
      <h1 className="tb-page-title">{t("payments.verify.title")}</h1>
      <p className="tb-muted">{t("payments.verify.lead")}</p>
      <Flex vertical gap={16}>
        <Card>
          <Form form={form} layout="vertical" initialValues={fromLink} onFinish={(values) => run(values)}>
            <Form.Item label={t("payments.verify.number")} name="number">
              <Input autoComplete="off" />
            </Form.Item>
            <Form.Item label={t("payments.verify.checkCode")} name="checkCode">
              <Input autoComplete="off" maxLength={12} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t("payments.verify.submit")}
            </Button>
          </Form>
        </Card>
        <Card>
          <label htmlFor="invoice-file" className="tb-card-subtitle">
            {t("payments.verify.byFile")}
          </label>
          <input
            id="invoice-file"
            type="file"
            accept="application/json,.json"
            onChange={(event) => void onFile(event.target.files?.[0])}
          />
        </Card>
        <div aria-live="polite">
          {error && <Alert type="error" showIcon title={error} role="alert" />}
          {result && (
            <Result
              result={result}
              checkCode={
                asked?.checkCode ??
                (typeof asked?.document?.checkCode === "string" ? (asked.document.checkCode as string) : "")
              }
              onChange={() => asked && void run(asked)}
            />
          )}
        </div>
      </Flex>
    </div>
  );
}
