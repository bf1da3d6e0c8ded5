import { ArrowLeftOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import type { Material } from "@tongban/contracts";
import { Alert, Button, Card, Descriptions, Flex, Skeleton, Tag } from "antd";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { createApplication } from "../api/applications.ts";
import { isApiError } from "../api/client.ts";
import { serviceQuery } from "../api/services.ts";
import { useSession } from "../api/session.ts";
import { errorMessage } from "../forms/errors.ts";
import { currentLanguage } from "../i18n/index.ts";
import { usePageTitle } from "../usePageTitle.ts";

const typeNames: Record<string, string> = { "application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG" };

function MaterialRow({ material }: { material: Material }) {
  const { t } = useTranslation();
  return (
    <li className="tb-guide-material">
      <Flex gap={8} wrap align="baseline">
        <strong>{material.name}</strong>
        <Tag className={`tb-tone tb-tone-${material.required ? "red" : "default"}`}>
          {material.required ? t("guide.materialRequired") : t("guide.materialOptional")}
        </Tag>
      </Flex>
      <div className="tb-muted">
        {material.source === "upload"
          ? t("guide.materialAccept", {
              types: material.accept.map((type) => typeNames[type] ?? type).join(" / "),
              size: material.maxSizeMb,
            })
          : material.source === "data"
            ? t("guide.materialFromData")
            : t("guide.materialFromCertificate")}
      </div>
      {material.copies && <div className="tb-muted">{t("guide.materialCopies", { copies: material.copies })}</div>}
      {material.note && <div className="tb-muted">{material.note}</div>}
    </li>
  );
}

/** 在线办理: anonymous visitors log in first; only the service's applicant kinds may file. */
function ApplyButton({ code, applicantKinds }: { code: string; applicantKinds: string[] }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!user) {
    return (
      <Link
        to={`/login?next=${encodeURIComponent(location.pathname)}`}
        className="tb-hbtn tb-hbtn-solid tb-hbtn-lg tb-apply-link"
      >
        {t("application.loginToApply")}
      </Link>
    );
  }
  if (user.kind === "staff") return <p className="tb-muted">{t("application.applyStaffNote")}</p>;
  if (!applicantKinds.includes(user.kind)) {
    const kinds = applicantKinds.map((kind) =>
      kind === "resident" || kind === "enterprise" ? t(`kind.${kind}`) : kind,
    );
    return <Alert type="info" showIcon title={t("application.applyNotForYou", { kinds: kinds.join("、") })} />;
  }
  const apply = async () => {
    setPending(true);
    setError(null);
    try {
      const created = await createApplication(code);
      void navigate(`/applications/${encodeURIComponent(created.id)}`);
    } catch (failure) {
      setError(errorMessage(t, failure));
      setPending(false);
    }
  };
  return (
    <Flex vertical gap={8} align="flex-start">
      <Button type="primary" size="large" loading={pending} onClick={() => void apply()}>
        {t("application.apply")}
      </Button>
      {error && <Alert type="error" showIcon title={error} role="alert" />}
    </Flex>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Card className="tb-guide-section">
      <section aria-labelledby={id}>
        <h2 id={id} className="tb-card-title">
          {title}
        </h2>
        {children}
      </section>
    </Card>
  );
}

export default function ServiceGuidePage() {
  const { t } = useTranslation();
  const { code = "" } = useParams();
  const query = useQuery(serviceQuery(code));
  const english = currentLanguage() === "en";
  const item = query.data?.item;
  usePageTitle(item ? (english ? item.nameEn : item.name) : t("guide.title"));

  const back = (
    <Link to="/services" className="tb-back-link">
      <ArrowLeftOutlined aria-hidden /> {t("guide.backToList")}
    </Link>
  );

  if (query.isPending) {
    return (
      <div className="tb-container tb-page">
        <Skeleton active paragraph={{ rows: 10 }} />
      </div>
    );
  }
  if (query.isError) {
    const missing = isApiError(query.error) && query.error.status === 404;
    return (
      <div className="tb-container tb-page">
        {back}
        <Alert
          type={missing ? "warning" : "error"}
          showIcon
          title={missing ? t("guide.notFound") : t("error.loadFailed")}
          description={missing ? undefined : errorMessage(t, query.error)}
          action={missing ? undefined : <Button onClick={() => void query.refetch()}>{t("common.retry")}</Button>}
        />
      </div>
    );
  }

  const { item: service, departmentName, version } = query.data;
  const days = (count: number) => (count === 0 ? t("guide.immediate") : t("guide.workingDays", { count }));

  return (
    <div className="tb-container tb-page">
      {back}
      <h1 className="tb-page-title">{english ? service.nameEn : service.name}</h1>
      {english && (
        <p className="tb-muted" lang="zh-Hans">
          {service.name}
        </p>
      )}
      <Alert type="info" showIcon title={t("guide.onceNotice")} className="tb-guide-notice" />
      <div className="tb-guide-apply">
        <ApplyButton code={service.code} applicantKinds={service.applicantKinds} />
      </div>

      <Flex vertical gap={16}>
        <Section id="guide-basic" title={t("guide.title")}>
          <Descriptions
            column={{ xs: 1, sm: 1, md: 2 }}
            size="small"
            items={[
              { key: "code", label: t("guide.code"), children: service.code },
              { key: "version", label: t("guide.version"), children: version },
              { key: "type", label: t("guide.type"), children: t(`serviceType.${service.type}`) },
              { key: "department", label: t("guide.department"), children: departmentName },
              {
                key: "kinds",
                label: t("guide.applicantKinds"),
                children: service.applicantKinds.map((kind) => t(`kind.${kind}`)).join("、"),
              },
              {
                key: "jurisdiction",
                label: t("guide.jurisdiction"),
                children: t(`jurisdiction.${service.jurisdiction}`),
              },
              {
                key: "result",
                label: t("guide.result"),
                children: `${service.result.name}${service.result.certificateType ? t("guide.resultCertificate") : ""}`,
              },
            ]}
          />
        </Section>

        <Section id="guide-summary" title={t("guide.summary")}>
          <p style={{ margin: 0 }}>{service.summary}</p>
        </Section>

        <Section id="guide-basis" title={t("guide.legalBasis")}>
          <ul className="tb-guide-list">
            {service.legalBasis.map((basis) => (
              <li key={`${basis.title}${basis.article ?? ""}`}>
                {basis.title}
                {basis.article ? ` ${basis.article}` : ""}
              </li>
            ))}
          </ul>
        </Section>

        <Section id="guide-conditions" title={t("guide.conditions")}>
          <ol className="tb-guide-list">
            {service.conditions.map((condition) => (
              <li key={condition}>{condition}</li>
            ))}
          </ol>
        </Section>

        <Section id="guide-materials" title={t("guide.materials")}>
          <ol className="tb-guide-list tb-guide-materials">
            {service.materials.map((material) => (
              <MaterialRow key={material.code} material={material} />
            ))}
          </ol>
        </Section>

        <Section id="guide-fees" title={t("guide.fees")}>
          {service.fees.length === 0 ? (
            <p style={{ margin: 0 }}>{t("guide.free")}</p>
          ) : (
            <ul className="tb-guide-list">
              {service.fees.map((fee) => (
                <li key={fee.name}>
                  {t("guide.feeItem", { name: fee.name, amount: fee.amountYuan.toFixed(2), basis: fee.basis })}
                </li>
              ))}
            </ul>
          )}
        </Section>

        <Section id="guide-limits" title={t("guide.limits")}>
          <Descriptions
            column={1}
            size="small"
            items={[
              { key: "statutory", label: t("guide.statutoryLimit"), children: days(service.statutoryLimitDays) },
              { key: "committed", label: t("guide.committedLimit"), children: days(service.committedLimitDays) },
              {
                key: "visits",
                label: t("guide.visits"),
                children:
                  service.visitsRequired === 0
                    ? t("guide.visitsZero")
                    : t("guide.visitsValue", { count: service.visitsRequired }),
              },
              { key: "place", label: t("guide.place"), children: service.handlingPlace },
              {
                key: "modes",
                label: t("guide.modes"),
                children: service.handlingModes.map((mode) => t(`handlingMode.${mode}`)).join("、"),
              },
              {
                key: "channels",
                label: t("guide.channels"),
                children: service.channels.map((channel) => t(`channel.${channel}`)).join("、"),
              },
            ]}
          />
        </Section>

        <Section id="guide-workflow" title={t("guide.workflow")}>
          <ol className="tb-guide-list">
            {service.workflow.steps.map((step) => (
              <li key={step.key}>
                {step.name} <span className="tb-muted">· {t(`role.${step.role}`)}</span>
              </li>
            ))}
          </ol>
        </Section>
      </Flex>
    </div>
  );
}
