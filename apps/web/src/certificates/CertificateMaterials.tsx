// 证照免提交 on a case: each material the service accepts as an e-certificate, filled with one click
// from the applicant's own valid certificate; whoever reads the case sees it checked afresh.
import { CheckCircleFilled, CloseCircleFilled, SafetyCertificateOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { Application, CertificateMaterial, Material } from "@tongban/contracts";
import { Alert, Button, Descriptions, Flex, Tag } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { errorMessage } from "../forms/errors.ts";
import { attachCertificate, certificateMaterialsQuery, myCertificatesQuery } from "./api.ts";

function UsedCertificate({ used }: { used: CertificateMaterial }) {
  const { t } = useTranslation();
  return (
    <div className="tb-certificate-material" data-certificate-material={used.materialCode}>
      <Flex gap={8} wrap align="baseline">
        <span>{t("certificates.materials.used", { number: used.number })}</span>
        <Tag className={`tb-tone tb-tone-${used.verified ? "green" : "red"}`}>
          {used.verified ? <CheckCircleFilled aria-hidden /> : <CloseCircleFilled aria-hidden />}{" "}
          {used.verified ? t("certificates.materials.verified") : t("certificates.materials.notVerified")}
        </Tag>
      </Flex>
      {!used.verified && <p className="tb-bad">{t(`certificates.verify.outcome.${used.outcome as "valid"}`)}</p>}
      <Descriptions
        column={1}
        size="small"
        items={[
          { key: "name", label: used.name, children: used.holderName },
          { key: "issuer", label: t("certificates.mine.issuer"), children: used.issuerName },
          ...used.details.map((d, i) => ({ key: `d${i}`, label: d.label, children: d.value })),
          {
            key: "ledger",
            label: t("certificates.mine.ledger"),
            children:
              used.ledgerIndex === null
                ? t("certificates.mine.ledgerPending")
                : t("certificates.mine.ledgerIndex", { index: used.ledgerIndex }),
          },
        ]}
      />
    </div>
  );
}

export function CertificateMaterials({
  application,
  materials,
  editable,
}: {
  application: Application;
  materials: Material[];
  /** The applicant's draft or supplement: offer their certificates. */
  editable: boolean;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const fromCertificates = materials.filter((m) => m.source === "certificate");
  const used = useQuery(certificateMaterialsQuery(application.id));
  const mine = useQuery({ ...myCertificatesQuery(), enabled: editable });
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const use = async (material: Material, certificateId: string, name: string) => {
    setBusy(true);
    setMessage(null);
    try {
      const next = await attachCertificate(application.id, { materialCode: material.code, certificateId });
      queryClient.setQueryData(certificateMaterialsQuery(application.id).queryKey, next);
      setMessage({ ok: true, text: t("certificates.materials.done", { name }) });
    } catch (error) {
      setMessage({ ok: false, text: errorMessage(t, error) });
    } finally {
      setBusy(false);
    }
  };

  const shown = fromCertificates.filter((m) => editable || used.data?.some((u) => u.materialCode === m.code));
  return (
    <section aria-labelledby={`certificate-materials-${application.id}`}>
      <h2 className="tb-card-title" id={`certificate-materials-${application.id}`}>
        <SafetyCertificateOutlined aria-hidden /> {t("certificates.materials.title")}
      </h2>
      {editable && <p className="tb-muted">{t("certificates.materials.lead")}</p>}
      {!editable && shown.length === 0 && <p className="tb-muted">{t("certificates.materials.staffNone")}</p>}
      <ul className="tb-check-list">
        {shown.map((material) => {
          const attached = used.data?.find((u) => u.materialCode === material.code);
          const candidate = mine.data?.find((c) => c.type === material.certificateType && c.status === "valid");
          return (
            <li key={material.code} className="tb-check" data-certificate-for={material.code}>
              <strong>{material.name}</strong>
              {attached ? (
                <UsedCertificate used={attached} />
              ) : editable && candidate ? (
                <p>
                  <Button
                    type="primary"
                    disabled={busy}
                    onClick={() => void use(material, candidate.id, candidate.name)}
                  >
                    {t("certificates.materials.use", { name: candidate.name, number: candidate.number })}
                  </Button>
                </p>
              ) : (
                editable &&
                mine.isSuccess && (
                  <p className="tb-muted">{t("certificates.materials.none", { name: material.name })}</p>
                )
              )}
            </li>
          );
        })}
      </ul>
      <div aria-live="polite">
        {message && <Alert type={message.ok ? "success" : "error"} showIcon title={message.text} />}
      </div>
    </section>
  );
}
