import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { CreateRemoteCase, FederatedServiceDetail, FieldIssue, IdentityCheck } from "@tongban/contracts";
import { Alert, App, Button, Card, Checkbox, Form, Input } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { isApiError } from "../api/client.ts";
import { federatedCasesQuery, federatedServiceQuery, receiveInPerson, remoteServicesQuery } from "../api/federation.ts";
import { FormFields, messageGroup, toFormData } from "../applications/FormFields.tsx";
import { errorMessage, fieldMessage } from "../forms/errors.ts";
import { NativeSelect } from "../forms/NativeSelect.tsx";
import { usePageTitle } from "../usePageTitle.ts";
import { IdentityCheckFields } from "./FederatedCasePage.tsx";
import { FederatedCaseList } from "./MyFederatedCases.tsx";

/** A file as base64 (without the data-URL prefix), as the API takes scanned materials. */
function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** The reception form for one service of another region: applicant, checks, the service's form, scans. */
function ReceptionForm({ detail }: { detail: FederatedServiceDetail }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<string[] | null>(null);
  const [files, setFiles] = useState<Record<string, File | undefined>>({});
  const item = detail.item;
  const uploads = item.materials.filter((m) => m.source === "upload");

  const showIssues = (issues: FieldIssue[], codes: string[], kind: string) => {
    const fields: { name: string | (string | number)[]; errors: string[] }[] = [];
    const unplaced: string[] = [];
    const applicantGroup: Record<string, string> = {
      identifier: kind === "enterprise" ? "creditCode" : "idNumber",
      name: "name",
      phone: "phone",
    };
    for (const issue of issues) {
      const [head, second, third] = issue.field.split(".");
      if (head === "form" && second && item.form.ui.order.includes(second))
        fields.push({ name: second, errors: [fieldMessage(t, messageGroup(item.form, second), issue.reason)] });
      else if (head === "applicant" && second)
        fields.push({
          name: ["applicant", second],
          errors: [fieldMessage(t, applicantGroup[second] ?? "any", issue.reason)],
        });
      else if (head === "identityCheck")
        fields.push({ name: ["identityCheck", "verified"], errors: [t("federation.remote.confirmIdentity")] });
      else if (head === "materialsChecked")
        fields.push({ name: "materialsChecked", errors: [t("federation.remote.confirmMaterials")] });
      else if (head === "materials") {
        const code = third ? codes[Number(second)] : second;
        const spec = uploads.find((m) => m.code === code);
        const sentence = fieldMessage(t, "material", issue.reason);
        unplaced.push(spec ? `${spec.name}：${sentence}` : sentence);
      } else unplaced.push(issue.message);
    }
    form.setFields(fields);
    setSummary([t("application.errorsSummary", { count: issues.length }), ...unplaced]);
  };

  const submit = async () => {
    setBusy(true);
    setSummary(null);
    const values = form.getFieldsValue(true) as Record<string, unknown> & {
      applicant?: { kind?: string; identifier?: string; name?: string; phone?: string };
      identityCheck?: Partial<IdentityCheck>;
      materialsChecked?: boolean;
      note?: string;
    };
    const chosen = uploads.flatMap((m) => {
      const file = files[m.code];
      return file ? [{ spec: m, file }] : [];
    });
    try {
      const materials = await Promise.all(
        chosen.map(async ({ spec, file }) => ({
          code: spec.code,
          fileName: file.name,
          content: await readBase64(file),
          originalSeen: values[`original_${spec.code}`] === true,
        })),
      );
      const body = {
        serviceCode: item.code,
        applicant: {
          kind: (values.applicant?.kind ?? "resident") as "resident" | "enterprise",
          identifier: values.applicant?.identifier ?? "",
          name: values.applicant?.name ?? "",
          phone: values.applicant?.phone?.trim() || null,
        },
        form: toFormData(item.form, values),
        identityCheck: { ...values.identityCheck, verified: values.identityCheck?.verified === true },
        materials,
        materialsChecked: values.materialsChecked === true,
        note: values.note?.trim() || null,
      } as CreateRemoteCase;
      const created = await receiveInPerson(body);
      void queryClient.invalidateQueries({ queryKey: ["federation", "cases"] });
      void message.success(t("federation.remote.forwarded", { region: detail.regionName }));
      void navigate(`/workbench/remote/${encodeURIComponent(created.id)}`);
    } catch (error) {
      if (isApiError(error) && error.fieldIssues.length > 0)
        showIssues(
          error.fieldIssues,
          chosen.map((c) => c.spec.code),
          values.applicant?.kind ?? "resident",
        );
      else setSummary([errorMessage(t, error)]);
      setBusy(false);
    }
  };

  return (
    <Form form={form} name="remote-acceptance" layout="vertical" onFinish={() => void submit()} disabled={busy}>
      {summary && <Alert type="error" showIcon role="alert" title={summary.join(" ")} className="tb-form-summary" />}
      <fieldset className="tb-fieldset">
        <legend>{t("federation.remote.applicant")}</legend>
        <Form.Item
          name={["applicant", "kind"]}
          label={t("federation.remote.applicantKind")}
          initialValue={item.applicantKinds[0]}
        >
          <NativeSelect options={item.applicantKinds.map((k) => ({ value: k, label: t(`kind.${k}`) }))} />
        </Form.Item>
        <Form.Item name={["applicant", "identifier"]} label={t("federation.remote.identifier")} required>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name={["applicant", "name"]} label={t("federation.remote.name")} required>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name={["applicant", "phone"]} label={t("federation.remote.phone")}>
          <Input inputMode="tel" autoComplete="off" />
        </Form.Item>
        <IdentityCheckFields prefix="identityCheck" confirmLabel={t("federation.remote.identityVerified")} />
      </fieldset>
      <fieldset className="tb-fieldset">
        <legend>{t("federation.formTitle")}</legend>
        <FormFields form={item.form} />
      </fieldset>
      <fieldset className="tb-fieldset">
        <legend>{t("federation.remote.materials")}</legend>
        {uploads.map((m) => (
          <div key={m.code} className="tb-material-row">
            <label htmlFor={`scan-${m.code}`} className="tb-material-label">
              {t("federation.remote.file", { name: m.name })}（
              {m.required ? t("federation.remote.required") : t("federation.remote.optional")}）
            </label>
            <input
              id={`scan-${m.code}`}
              type="file"
              accept={m.accept.join(",")}
              onChange={(e) => setFiles((f) => ({ ...f, [m.code]: e.target.files?.[0] }))}
            />
            {m.note && <p className="tb-muted">{m.note}</p>}
            <Form.Item name={`original_${m.code}`} valuePropName="checked">
              <Checkbox>{t("federation.originalSeen")}</Checkbox>
            </Form.Item>
          </div>
        ))}
        <Form.Item name="materialsChecked" valuePropName="checked">
          <Checkbox>{t("federation.remote.materialsChecked")}</Checkbox>
        </Form.Item>
        <Form.Item name="note" label={t("federation.remote.note")}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </fieldset>
      <Button type="primary" htmlType="submit" size="large" loading={busy}>
        {t("federation.remote.submit")}
      </Button>
    </Form>
  );
}

function NewReception() {
  const { t } = useTranslation();
  const services = useQuery(remoteServicesQuery());
  const [code, setCode] = useState("");
  const detail = useQuery({ ...federatedServiceQuery(code), enabled: code !== "" });
  const options = (services.data?.services ?? []).map((s) => ({
    value: s.code,
    label: `${s.name}（${t("federation.decidedBy", { region: s.regionName })}）`,
  }));
  return (
    <Card className="tb-guide-section">
      <section aria-labelledby="remote-new">
        <h2 id="remote-new" className="tb-card-title">
          {t("federation.remote.newTitle")}
        </h2>
        {services.isSuccess && options.length === 0 ? (
          <p>{t("federation.remote.noServices")}</p>
        ) : (
          <div className="tb-field">
            <label htmlFor="remote-service">{t("federation.remote.service")}</label>
            <NativeSelect
              id="remote-service"
              value={code}
              placeholder={t("federation.remote.servicePlaceholder")}
              options={options}
              onChange={(e) => setCode(e.target.value)}
            />
          </div>
        )}
        {detail.data && (
          <>
            <Alert
              type="info"
              showIcon
              title={t("federation.guideNotice", { region: detail.data.regionName })}
              className="tb-guide-notice"
            />
            <ReceptionForm key={detail.data.item.code} detail={detail.data} />
          </>
        )}
        {detail.isError && <Alert type="error" showIcon role="alert" title={errorMessage(t, detail.error)} />}
      </section>
    </Card>
  );
}

/** 异地代收: the window's page — receive a case for another region, and the cases received here. */
export default function RemoteAcceptancePage() {
  const { t } = useTranslation();
  const cases = useQuery(federatedCasesQuery());
  usePageTitle(t("federation.remote.title"));
  return (
    <>
      <h1 className="tb-page-title">{t("federation.remote.title")}</h1>
      <p className="tb-muted">{t("federation.remote.lead")}</p>
      <NewReception />
      <Card className="tb-guide-section">
        <section aria-labelledby="remote-received">
          <h2 id="remote-received" className="tb-card-title">
            {t("federation.remote.received")}
          </h2>
          {cases.data && cases.data.length === 0 && <p>{t("federation.remote.empty")}</p>}
          {cases.isError && <Alert type="error" showIcon role="alert" title={errorMessage(t, cases.error)} />}
          {cases.data && <FederatedCaseList cases={cases.data} linkTo={(id) => `/workbench/remote/${id}`} />}
        </section>
      </Card>
    </>
  );
}
