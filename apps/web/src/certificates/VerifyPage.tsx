// 电子证照核验: anyone checks a certificate — arriving from its QR code (the link carries the
// certificate's id and a hash of its credential), by its number, or by uploading its PDF or JSON —
// and reads plainly what holds: signature, trusted issuer, ledger record, status.
import { CheckCircleFilled, CloseCircleFilled, MinusCircleOutlined } from "@ant-design/icons";
import { useMutation } from "@tanstack/react-query";
import type { CertificateVerification, VerificationCheck, VerifyCertificateRequest } from "@tongban/contracts";
import { Alert, Button, Card, Col, Descriptions, Flex, Input, Row } from "antd";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { formatDate } from "../format.ts";
import { errorMessage } from "../forms/errors.ts";
import { currentLanguage } from "../i18n/index.ts";
import { usePageTitle } from "../usePageTitle.ts";
import { verifyCertificate } from "./api.ts";

const MAX_FILE = 2 * 1024 * 1024;
const OUTCOMES = [
  "valid",
  "revoked",
  "superseded",
  "altered",
  "untrusted",
  "expired",
  "not_in_ledger",
  "not_found",
  "unreadable",
];

async function requestFromFile(file: File): Promise<VerifyCertificateRequest> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const head = new TextDecoder().decode(bytes.subarray(0, 5));
  if (head === "%PDF-") {
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { pdf: btoa(binary) };
  }
  return { credential: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) };
}

function CheckRow({ check, result }: { check: VerificationCheck; result: CertificateVerification }) {
  const { t } = useTranslation();
  const icon =
    check.outcome === "pass" ? (
      <CheckCircleFilled className="tb-ok" aria-hidden />
    ) : check.outcome === "fail" ? (
      <CloseCircleFilled className="tb-bad" aria-hidden />
    ) : (
      <MinusCircleOutlined className="tb-muted" aria-hidden />
    );
  // The status check's reason for a revocation is the issuer's own words, in Chinese.
  const reason =
    check.check === "status" && check.outcome === "fail" && result.certificate?.statusReason
      ? result.certificate.statusReason
      : null;
  return (
    <li className="tb-check" data-check={check.check} data-outcome={check.outcome}>
      <Flex gap={8} align="baseline">
        {icon}
        <strong>{t(`certificates.verify.check.${check.check}`)}</strong>
        <span>{t(`certificates.verify.result.${check.outcome}`)}</span>
      </Flex>
      {reason && <p>{t("certificates.mine.reason", { reason })}</p>}
      <details className="tb-check-detail">
        <summary>{t("certificates.verify.details")}</summary>
        <p className="tb-muted" lang="en">
          {check.detail}
        </p>
      </details>
    </li>
  );
}

function Result({ result }: { result: CertificateVerification }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const outcome = OUTCOMES.includes(result.outcome) ? result.outcome : "invalid";
  const certificate = result.certificate;
  return (
    <Card className="tb-verify-result" data-valid={String(result.valid)}>
      <Alert
        type={result.valid ? "success" : "error"}
        showIcon
        title={result.valid ? t("certificates.verify.valid") : t("certificates.verify.invalid")}
        description={t(`certificates.verify.outcome.${outcome as "valid"}`)}
      />
      {certificate && (
        <>
          <h2 className="tb-card-title">{certificate.name}</h2>
          <Descriptions
            column={1}
            size="small"
            items={[
              { key: "number", label: t("certificates.mine.number"), children: certificate.number },
              { key: "holder", label: t("certificates.verify.holder"), children: certificate.holderName },
              { key: "id", label: t("certificates.verify.holderId"), children: certificate.holderIdNumber ?? "—" },
              ...certificate.details.map((d, i) => ({ key: `d${i}`, label: d.label, children: d.value })),
              { key: "issuer", label: t("certificates.mine.issuer"), children: certificate.issuerName },
              {
                key: "issued",
                label: t("certificates.mine.issuedAt"),
                children: formatDate(certificate.issuedAt, language),
              },
            ]}
          />
        </>
      )}
      <ul className="tb-check-list" aria-label={t("certificates.verify.details")}>
        {result.checks.map((check) => (
          <CheckRow key={check.check} check={check} result={result} />
        ))}
      </ul>
    </Card>
  );
}

export default function VerifyPage() {
  const { t } = useTranslation();
  usePageTitle(t("certificates.verify.title"));
  const [params] = useSearchParams();
  const [number, setNumber] = useState("");
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const numberId = useId();
  const fileId = useId();
  const verification = useMutation({ mutationFn: verifyCertificate });
  const { mutate } = verification;

  // Arriving from a QR code: verify at once what the link names.
  const fromQr = params.get("c") && params.get("h") ? window.location.href : null;
  useEffect(() => {
    if (fromQr) mutate({ qr: fromQr });
  }, [fromQr, mutate]);

  const byNumber = (event: FormEvent) => {
    event.preventDefault();
    if (number.trim()) verification.mutate({ number: number.trim() });
  };
  const byFile = async (event: FormEvent) => {
    event.preventDefault();
    setFileProblem(null);
    const file = fileInput.current?.files?.[0];
    if (!file) return;
    if (file.size > MAX_FILE) return setFileProblem(t("certificates.verify.tooLarge"));
    try {
      verification.mutate(await requestFromFile(file));
    } catch {
      setFileProblem(t("certificates.verify.fileError"));
    }
  };

  return (
    <div className="tb-container tb-page">
      <h1 className="tb-page-title">{t("certificates.verify.title")}</h1>
      <p className="tb-muted">{t("certificates.verify.lead")}</p>
      <Row gutter={[16, 16]}>
        <Col xs={24} md={12}>
          <Card>
            <form onSubmit={byNumber}>
              <h2 className="tb-card-title">{t("certificates.verify.byNumber")}</h2>
              <label htmlFor={numberId}>{t("certificates.verify.numberLabel")}</label>
              <Flex gap={8}>
                <Input
                  id={numberId}
                  value={number}
                  onChange={(e) => setNumber(e.target.value)}
                  placeholder={t("certificates.verify.numberPlaceholder")}
                  autoComplete="off"
                />
                <Button htmlType="submit" type="primary" disabled={verification.isPending}>
                  {t("certificates.verify.submit")}
                </Button>
              </Flex>
            </form>
          </Card>
        </Col>
        <Col xs={24} md={12}>
          <Card>
            <form onSubmit={byFile}>
              <h2 className="tb-card-title">{t("certificates.verify.byFile")}</h2>
              <label htmlFor={fileId}>{t("certificates.verify.fileLabel")}</label>
              <Flex gap={8} wrap>
                <input id={fileId} ref={fileInput} type="file" accept=".pdf,.json,application/pdf,application/json" />
                <Button htmlType="submit" type="primary" disabled={verification.isPending}>
                  {t("certificates.verify.submit")}
                </Button>
              </Flex>
              {fileProblem && (
                <p role="alert" className="tb-bad">
                  {fileProblem}
                </p>
              )}
            </form>
          </Card>
        </Col>
        <Col xs={24}>
          <div aria-live="polite">
            {verification.isPending && <p>{t("certificates.verify.checking")}</p>}
            {verification.isError && <Alert type="error" showIcon title={errorMessage(t, verification.error)} />}
            {verification.data && <Result result={verification.data} />}
          </div>
        </Col>
      </Row>
    </div>
  );
}
