// 材料免提交: the applicant's consent step that has the platform fetch materials from the departments
// holding the data, and the verified data as the applicant and staff see it on the case.
import { CheckCircleFilled, SafetyCertificateOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { Application, ApplicationDataMaterial, Material } from "@tongban/contracts";
import { Alert, Button, Checkbox, Descriptions, Flex, Tag } from "antd";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { applicationQuery, dataSourcesQuery, fetchDataMaterial } from "../api/applications.ts";
import { formatDateTime } from "../format.ts";
import { errorMessage } from "../forms/errors.ts";
import { currentLanguage } from "../i18n/index.ts";

/** "N materials spared" on a case, when any were. */
export function SparedNote({ application }: { application: Pick<Application, "materialsSpared"> }) {
  const { t } = useTranslation();
  if (application.materialsSpared === 0) return null;
  return (
    <Alert
      type="success"
      showIcon
      icon={<SafetyCertificateOutlined aria-hidden />}
      title={t("exchange.spared.case", { count: application.materialsSpared })}
    />
  );
}

/** One fetched material: its source, department, times, access record and the data as answered. */
export function VerifiedData({ data, name }: { data: ApplicationDataMaterial; name: string }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  return (
    <div className="tb-verified" data-verified={data.materialCode}>
      <Flex gap={8} wrap align="baseline">
        <strong>{name}</strong>
        <Tag className="tb-tone tb-tone-green" icon={<CheckCircleFilled aria-hidden />}>
          {t("exchange.verified.tag")}
        </Tag>
      </Flex>
      <Descriptions
        column={1}
        size="small"
        items={[
          { key: "source", label: t("exchange.verified.source"), children: `${data.resourceName}（${data.resource}）` },
          { key: "department", label: t("exchange.verified.department"), children: data.providerDepartmentName },
          {
            key: "fetchedAt",
            label: t("exchange.verified.fetchedAt"),
            children: <time dateTime={data.fetchedAt}>{formatDateTime(data.fetchedAt, language)}</time>,
          },
          {
            key: "consentAt",
            label: t("exchange.verified.consentAt"),
            children: <time dateTime={data.consentAt}>{formatDateTime(data.consentAt, language)}</time>,
          },
          {
            key: "access",
            label: t("exchange.verified.access"),
            children:
              data.ledgerIndex === null
                ? t("exchange.verified.accessPending", { id: data.accessId.slice(0, 8) })
                : t("exchange.verified.accessValue", { id: data.accessId.slice(0, 8), index: data.ledgerIndex }),
          },
        ]}
      />
      {data.records.map((record, n) => (
        <Descriptions
          // Records have no id of their own; their order is the answer's.
          // biome-ignore lint/suspicious/noArrayIndexKey: the answer's order is stable
          key={n}
          title={data.records.length > 1 ? t("exchange.verified.record", { n: n + 1 }) : undefined}
          column={{ xs: 1, sm: 1, md: 2 }}
          size="small"
          bordered
          className="tb-verified-record"
          items={data.fields.map((field) => ({
            key: field.name,
            label: field.label,
            children:
              record[field.name] === null || record[field.name] === undefined ? "—" : String(record[field.name]),
          }))}
        />
      ))}
      <div className="tb-muted">{t("exchange.verified.masked")}</div>
    </div>
  );
}

/** Every fetched material of a case, for staff (and the applicant once it is submitted). */
export function VerifiedMaterials({
  application,
  materials,
  staff,
}: {
  application: Application;
  materials: Material[];
  staff?: boolean;
}) {
  const { t } = useTranslation();
  const fromData = materials.filter((m) => m.source === "data");
  if (fromData.length === 0) return null;
  return (
    <section aria-labelledby="verified-title">
      <h2 id="verified-title" className="tb-card-title">
        {t("exchange.verified.title")}
      </h2>
      <Flex vertical gap={16}>
        <SparedNote application={application} />
        {fromData.map((material) => {
          const data = application.dataMaterials.find((d) => d.materialCode === material.code);
          return data ? (
            <VerifiedData key={material.code} data={data} name={material.name} />
          ) : (
            <div key={material.code} data-not-fetched={material.code}>
              <strong>{material.name}</strong>
              <div className="tb-muted">
                {staff ? t("exchange.verified.notFetchedStaff") : t("exchange.consent.notFetched")}
              </div>
            </div>
          );
        })}
      </Flex>
    </section>
  );
}

/**
 * The consent step of the apply form: which materials the platform can fetch, from which department
 * and which data; one explicit consent; then each is fetched through the exchange gateway.
 */
export function DataConsent({ application, materials }: { application: Application; materials: Material[] }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const fromData = materials.filter((m) => m.source === "data");
  const sources = useQuery({ ...dataSourcesQuery(application.id), enabled: fromData.length > 0 });
  const [agreed, setAgreed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const [problems, setProblems] = useState<string[]>([]);
  const consentId = useId();
  const errorId = useId();
  if (fromData.length === 0) return null;

  const fetched = new Set(application.dataMaterials.map((d) => d.materialCode));
  const available = (sources.data ?? []).filter((s) => s.resourceName !== null);
  const pending = available.filter((s) => !fetched.has(s.materialCode));
  const nameOf = (code: string) => materials.find((m) => m.code === code)?.name ?? code;

  const fetchAll = async () => {
    if (!agreed) {
      setProblems([t("exchange.consent.agreeRequired")]);
      document.getElementById(consentId)?.focus();
      return;
    }
    setBusy(true);
    setProblems([]);
    setStatus(t("exchange.consent.fetching"));
    const failures: string[] = [];
    const done: string[] = [];
    // Those still missing, or all of them again when everything was fetched already.
    const targets = pending.length > 0 ? pending : available;
    for (const source of targets) {
      try {
        const next = await fetchDataMaterial(application.id, source.materialCode);
        queryClient.setQueryData(applicationQuery(application.id).queryKey, next);
        done.push(t("exchange.consent.fetched", { name: nameOf(source.materialCode) }));
      } catch (error) {
        failures.push(
          t("exchange.consent.failed", { name: nameOf(source.materialCode), reason: errorMessage(t, error) }),
        );
      }
    }
    setProblems(failures);
    setStatus(done.join(" "));
    setBusy(false);
  };

  return (
    <section aria-labelledby="consent-title" className="tb-data-consent">
      <h2 id="consent-title" className="tb-card-title">
        {t("exchange.consent.title")}
      </h2>
      <p>{t("exchange.consent.lead")}</p>
      <ul className="tb-guide-list">
        {fromData.map((material) => {
          const source = sources.data?.find((s) => s.materialCode === material.code);
          const data = application.dataMaterials.find((d) => d.materialCode === material.code);
          return (
            <li key={material.code} data-source={material.code}>
              <Flex gap={8} wrap align="baseline">
                <strong>{material.name}</strong>
                {data && (
                  <Tag className="tb-tone tb-tone-green" icon={<CheckCircleFilled aria-hidden />}>
                    {t("exchange.verified.tag")}
                  </Tag>
                )}
              </Flex>
              {source?.resourceName ? (
                <>
                  <div className="tb-muted">
                    {t("exchange.consent.resource", {
                      department: source.providerDepartmentName,
                      resource: source.resourceName,
                    })}
                  </div>
                  <div className="tb-muted">
                    {t("exchange.consent.fields", { fields: source.fieldLabels.join("、") })}
                  </div>
                </>
              ) : (
                source && <div className="tb-muted">{t("exchange.consent.unavailable")}</div>
              )}
              {data && (
                <div className="tb-muted">
                  {t("exchange.verified.fetchedAt")}:{" "}
                  <time dateTime={data.fetchedAt}>{formatDateTime(data.fetchedAt, currentLanguage())}</time>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {available.length > 0 && (
        <>
          <Checkbox
            id={consentId}
            checked={agreed}
            disabled={busy}
            onChange={(event) => {
              setAgreed(event.target.checked);
              if (event.target.checked) setProblems([]);
            }}
            aria-describedby={problems.length > 0 ? errorId : undefined}
          >
            {t("exchange.consent.agree")}
          </Checkbox>
          <div className="tb-consent-actions">
            <Button onClick={() => void fetchAll()} loading={busy} type={pending.length > 0 ? "primary" : "default"}>
              {pending.length > 0 ? t("exchange.consent.fetch") : t("exchange.consent.fetchAgain")}
            </Button>
          </div>
        </>
      )}
      {pending.length === 0 && available.length > 0 && fetched.size > 0 && (
        <p className="tb-muted">{t("exchange.consent.allFetched")}</p>
      )}
      <div className="tb-visually-hidden" aria-live="polite">
        {status}
      </div>
      {problems.length > 0 && (
        <div id={errorId} className="tb-field-error" role="alert">
          {problems.map((p) => (
            <div key={p}>{p}</div>
          ))}
        </div>
      )}
    </section>
  );
}
