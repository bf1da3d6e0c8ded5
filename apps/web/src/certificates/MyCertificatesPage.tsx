// 我的电子证照: the holder's certificates with their status, downloads (PDF, VC JSON), a link to
// verify each, and who verified them when.
import { DownloadOutlined, SafetyCertificateOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import type { Certificate, CertificateStatus } from "@tongban/contracts";
import { Button, Card, Descriptions, Flex, Tag } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { formatDate, formatDateTime } from "../format.ts";
import { currentLanguage } from "../i18n/index.ts";
import { QueryState } from "../layout/QueryState.tsx";
import { usePageTitle } from "../usePageTitle.ts";
import { downloadUrl, myCertificatesQuery } from "./api.ts";

export const statusTone: Record<CertificateStatus, string> = { valid: "green", revoked: "red", superseded: "orange" };

function CertificateCard({ certificate }: { certificate: Certificate }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const verifyPath = `/verify${new URL(certificate.verifyUrl).search}`;
  return (
    <Card className="tb-certificate" data-certificate={certificate.number}>
      <Flex gap={8} wrap align="baseline">
        <h2 className="tb-card-title">{certificate.name}</h2>
        <Tag className={`tb-tone tb-tone-${statusTone[certificate.status]}`}>
          {t(`certificates.status.${certificate.status}`)}
        </Tag>
      </Flex>
      {certificate.statusReason && certificate.status !== "valid" && (
        <p className="tb-muted">{t("certificates.mine.reason", { reason: certificate.statusReason })}</p>
      )}
      <Descriptions
        column={{ xs: 1, sm: 1, md: 2 }}
        size="small"
        items={[
          { key: "number", label: t("certificates.mine.number"), children: certificate.number },
          { key: "issuer", label: t("certificates.mine.issuer"), children: certificate.issuerName },
          ...certificate.details.map((d, i) => ({ key: `d${i}`, label: d.label, children: d.value })),
          {
            key: "issued",
            label: t("certificates.mine.issuedAt"),
            children: <time dateTime={certificate.issuedAt}>{formatDateTime(certificate.issuedAt, language)}</time>,
          },
          {
            key: "until",
            label: t("certificates.mine.validUntil"),
            children: certificate.validUntil
              ? formatDate(certificate.validUntil, language)
              : t("certificates.mine.noEnd"),
          },
          {
            key: "ledger",
            label: t("certificates.mine.ledger"),
            children:
              certificate.ledgerIndex === null
                ? t("certificates.mine.ledgerPending")
                : t("certificates.mine.ledgerIndex", { index: certificate.ledgerIndex }),
          },
        ]}
      />
      <Flex gap={8} wrap className="tb-certificate-actions">
        <Button
          type="primary"
          icon={<DownloadOutlined />}
          href={downloadUrl(certificate.id, "pdf")}
          download={`${certificate.number}.pdf`}
        >
          {t("certificates.mine.downloadPdf")}
        </Button>
        <Button
          icon={<DownloadOutlined />}
          href={downloadUrl(certificate.id, "credential")}
          download={`${certificate.number}.vc.json`}
        >
          {t("certificates.mine.downloadJson")}
        </Button>
        <Link to={verifyPath} className="ant-btn ant-btn-default tb-link-button">
          <SafetyCertificateOutlined aria-hidden /> {t("certificates.mine.verify")}
        </Link>
      </Flex>
      <h3 className="tb-subtitle">{t("certificates.mine.verifications")}</h3>
      {certificate.verifications.length === 0 ? (
        <p className="tb-muted">{t("certificates.mine.noVerifications")}</p>
      ) : (
        <>
          <p className="tb-muted">
            {t("certificates.mine.verificationsCount", { count: certificate.verifications.length })}
          </p>
          <ul className="tb-verification-list">
            {certificate.verifications.map((v) => (
              <li key={`${v.at}-${v.method}`}>
                <time dateTime={v.at}>{formatDateTime(v.at, language)}</time> · {t(`certificates.method.${v.method}`)} ·{" "}
                <span className={v.valid ? "tb-ok" : "tb-bad"}>
                  {t(`certificates.verify.outcome.${v.outcome as "valid"}`, { defaultValue: v.outcome })}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}

export default function MyCertificatesPage() {
  const { t } = useTranslation();
  usePageTitle(t("certificates.mine.title"));
  const query = useQuery(myCertificatesQuery());
  return (
    <div className="tb-container tb-page">
      <p>
        <Link to="/me" className="tb-back-link">
          {t("me.title")}
        </Link>
      </p>
      <h1 className="tb-page-title">{t("certificates.mine.title")}</h1>
      <p className="tb-muted">{t("certificates.mine.lead")}</p>
      <QueryState query={query} empty={t("certificates.mine.empty")} emptyInCard>
        {(certificates) => (
          <>
            <p className="tb-muted" aria-live="polite">
              {t("certificates.mine.count", { count: certificates.length })}
            </p>
            <Flex vertical gap={16}>
              {certificates.map((certificate) => (
                <CertificateCard key={certificate.id} certificate={certificate} />
              ))}
            </Flex>
          </>
        )}
      </QueryState>
    </div>
  );
}
