import { DeleteOutlined, PaperClipOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { Application, FieldIssue, Material, ServiceItemFields } from "@tongban/contracts";
import { Alert, App, Button, Card, Descriptions, Flex, Form, Result, Skeleton } from "antd";
import { type ChangeEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import type { z } from "zod";
import { act, applicationQuery, materialUrl, removeMaterial, saveForm, uploadMaterial } from "../api/applications.ts";
import { isApiError } from "../api/client.ts";
import { serviceQuery } from "../api/services.ts";
import { CertificateMaterials } from "../certificates/CertificateMaterials.tsx";
import { errorMessage, fieldMessage } from "../forms/errors.ts";
import { CaseFeeCard } from "../payments/CaseFeeCard.tsx";
import { usePageTitle } from "../usePageTitle.ts";
import { CaseFacts, CaseTimeline, targetName } from "./CaseView.tsx";
import { DataConsent, SparedNote, VerifiedMaterials } from "./DataMaterials.tsx";
import { FormFields, fieldLabel, messageGroup, toFormData, toFormValues } from "./FormFields.tsx";

type Item = z.infer<typeof ServiceItemFields>;
const typeNames: Record<string, string> = { "application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG" };

function formatSize(bytes: number): string {
  return bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** One material: what is asked, what is uploaded (with remove), a file picker and its errors. */
function MaterialField({
  application,
  material,
  errors,
  editable,
  busy,
  onUpload,
  onRemove,
}: {
  application: Application;
  material: Material;
  errors: string[];
  editable: boolean;
  busy: boolean;
  onUpload: (material: Material, file: File) => void;
  onRemove: (material: Material, materialId: string, fileName: string) => void;
}) {
  const { t } = useTranslation();
  const inputId = `material-${material.code}`;
  const helpId = `${inputId}-help`;
  const errorId = `${inputId}-error`;
  const files = application.materials.filter((m) => m.materialCode === material.code);
  const fetched = application.dataMaterials.some((d) => d.materialCode === material.code);
  // A material obtainable from shared data that was not fetched may be provided as a copy instead.
  const upload = material.source === "upload" || (material.source === "data" && !fetched) || files.length > 0;
  const accept = t("guide.materialAccept", {
    types: material.accept.map((type) => typeNames[type] ?? type).join(" / "),
    size: material.maxSizeMb,
  });
  return (
    <li className="tb-guide-material" data-material={material.code}>
      <Flex gap={8} wrap align="baseline">
        <strong>{material.name}</strong>
        <span className={material.required ? "tb-required-mark" : "tb-muted"}>
          {material.required ? t("guide.materialRequired") : t("guide.materialOptional")}
        </span>
      </Flex>
      <div id={helpId} className="tb-muted">
        {material.source === "data"
          ? fetched
            ? `${t("exchange.verified.tag")} · ${t("guide.materialFromData")}`
            : `${t("guide.materialFromData")}${editable ? t("exchange.consent.orUpload", { accept }) : ""}`
          : upload
            ? accept
            : t("guide.materialFromCertificate")}
      </div>
      {upload && (
        <>
          {files.length > 0 ? (
            <ul className="tb-file-list" aria-label={t("application.uploaded")}>
              {files.map((file) => (
                <li key={file.id}>
                  <PaperClipOutlined aria-hidden />{" "}
                  <a href={materialUrl(application.id, file.id)} target="_blank" rel="noreferrer">
                    {file.fileName}
                  </a>{" "}
                  <span className="tb-muted">{formatSize(file.size)}</span>
                  {editable && (
                    <Button
                      type="link"
                      danger
                      size="small"
                      icon={<DeleteOutlined aria-hidden />}
                      disabled={busy}
                      onClick={() => onRemove(material, file.id, file.fileName)}
                      aria-label={t("application.remove", { name: file.fileName })}
                    />
                  )}
                </li>
              ))}
            </ul>
          ) : (
            material.source === "upload" && <div className="tb-muted">{t("application.uploadedNone")}</div>
          )}
          {editable && (
            <div className="tb-file-pick">
              <label htmlFor={inputId}>{t("application.chooseFile", { name: material.name })}</label>
              <input
                id={inputId}
                type="file"
                accept={material.accept.join(",")}
                disabled={busy}
                aria-describedby={errors.length > 0 ? `${helpId} ${errorId}` : helpId}
                aria-invalid={errors.length > 0 || undefined}
                onChange={(event: ChangeEvent<HTMLInputElement>) => {
                  const file = event.target.files?.[0];
                  event.target.value = "";
                  if (file) onUpload(material, file);
                }}
              />
            </div>
          )}
          {errors.length > 0 && (
            <div id={errorId} className="tb-field-error" role="alert">
              {errors.join(" ")}
            </div>
          )}
        </>
      )}
    </li>
  );
}

/** The form and materials of a draft or of a supplement, with save and submit. */
function ApplyForm({
  application,
  item,
  mode,
}: {
  application: Application;
  item: Item;
  mode: "submit" | "supplement";
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<string | null>(null);
  const [materialErrors, setMaterialErrors] = useState<Record<string, string[]>>({});
  const [status, setStatus] = useState("");
  const statusId = useId();
  const key = applicationQuery(application.id).queryKey;
  const update = (next: Application) => queryClient.setQueryData(key, next);

  const clearErrors = () => {
    form.setFields(item.form.ui.order.map((name) => ({ name, errors: [] })));
    setMaterialErrors({});
    setSummary(null);
  };

  const showIssues = (issues: FieldIssue[]) => {
    const byField = new Map<string, string[]>();
    const byMaterial: Record<string, string[]> = {};
    const unplaced: string[] = [];
    for (const issue of issues) {
      if (issue.field.startsWith("form.")) {
        const name = issue.field.slice(5).split(".")[0] ?? "";
        if (item.form.ui.order.includes(name)) {
          const list = byField.get(name) ?? [];
          const text = fieldMessage(t, messageGroup(item.form, name), issue.reason);
          if (!list.includes(text)) list.push(text);
          byField.set(name, list);
          continue;
        }
      }
      if (issue.field.startsWith("materials.")) {
        const code = issue.field.slice(10);
        byMaterial[code] = [...(byMaterial[code] ?? []), fieldMessage(t, "material", issue.reason)];
        continue;
      }
      unplaced.push(`${issue.field}: ${fieldMessage(t, "any", issue.reason)}`);
    }
    form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
    setMaterialErrors(byMaterial);
    setSummary([t("application.errorsSummary", { count: issues.length }), ...unplaced].join(" "));
    const first = byField.keys().next();
    if (!first.done) form.scrollToField(first.value, { focus: true, block: "center" });
    else {
      const code = Object.keys(byMaterial)[0];
      if (code) document.getElementById(`material-${code}`)?.focus();
    }
  };

  const failed = (error: unknown) => {
    if (isApiError(error) && error.fieldIssues.length > 0) return showIssues(error.fieldIssues);
    if (isApiError(error) && error.code === "ACTION_NOT_ALLOWED") void queryClient.invalidateQueries({ queryKey: key });
    setSummary(errorMessage(t, error));
  };

  const save = async (notify: boolean) => {
    const values = form.getFieldsValue(true) as Record<string, unknown>;
    const saved = await saveForm(application.id, toFormData(item.form, values));
    update(saved);
    if (notify) void message.success(t("application.draftSaved"));
  };

  const run = async (task: () => Promise<void>) => {
    setBusy(true);
    try {
      await task();
    } catch (error) {
      failed(error);
    } finally {
      setBusy(false);
    }
  };

  const onSave = () =>
    run(async () => {
      clearErrors();
      await save(true);
    });

  const onSubmit = () =>
    run(async () => {
      clearErrors();
      await save(false);
      const next = await act(application.id, { type: mode });
      update(next);
      void queryClient.invalidateQueries({ queryKey: ["applications", "list"] });
      void message.success(mode === "submit" ? t("application.submitted") : t("application.supplemented"));
    });

  const onUpload = (material: Material, file: File) =>
    run(async () => {
      setStatus(t("application.uploading"));
      try {
        const next = await uploadMaterial(application.id, material.code, file);
        update(next);
        setMaterialErrors((current) => ({ ...current, [material.code]: [] }));
        setStatus(t("application.uploadOk", { name: file.name }));
      } catch (error) {
        setStatus("");
        if (isApiError(error) && error.fieldIssues.length > 0) {
          setMaterialErrors((current) => ({
            ...current,
            [material.code]: error.fieldIssues.map((issue) => fieldMessage(t, "material", issue.reason)),
          }));
          return;
        }
        throw error;
      }
    });

  const onRemove = (material: Material, materialId: string, fileName: string) =>
    run(async () => {
      const next = await removeMaterial(application.id, materialId);
      update(next);
      setStatus(t("application.removed", { name: fileName }));
      void material;
    });

  return (
    <>
      <div id={statusId} className="tb-visually-hidden" aria-live="polite">
        {status}
      </div>
      {summary && <Alert type="error" showIcon title={summary} role="alert" className="tb-form-summary" />}
      <Card className="tb-guide-section">
        <section aria-labelledby="apply-form-title">
          <h2 id="apply-form-title" className="tb-card-title">
            {t("application.formTitle")}
          </h2>
          <Form
            form={form}
            name="apply"
            layout="vertical"
            initialValues={toFormValues(item.form, application.form)}
            onFinish={() => void onSubmit()}
            disabled={busy}
          >
            <FormFields form={item.form} />
          </Form>
        </section>
      </Card>
      <Card className="tb-guide-section">
        <section aria-labelledby="apply-materials-title">
          <h2 id="apply-materials-title" className="tb-card-title">
            {t("application.materialsTitle")}
          </h2>
          <ol className="tb-guide-list tb-guide-materials">
            {item.materials.map((material) => (
              <MaterialField
                key={material.code}
                application={application}
                material={material}
                errors={materialErrors[material.code] ?? []}
                editable
                busy={busy}
                onUpload={onUpload}
                onRemove={onRemove}
              />
            ))}
          </ol>
        </section>
      </Card>
      {item.materials.some((m) => m.source === "data") && (
        <Card className="tb-guide-section">
          <DataConsent application={application} materials={item.materials} />
        </Card>
      )}
      {item.materials.some((m) => m.source === "certificate") && (
        <Card className="tb-guide-section">
          <CertificateMaterials application={application} materials={item.materials} editable />
        </Card>
      )}
      <Flex gap={12} wrap className="tb-apply-actions">
        <Button type="primary" size="large" loading={busy} onClick={() => form.submit()}>
          {mode === "submit" ? t("application.submit") : t("application.supplementSubmit")}
        </Button>
        <Button size="large" disabled={busy} onClick={() => void onSave()}>
          {t("application.saveDraft")}
        </Button>
      </Flex>
    </>
  );
}

/** The answers and files of a case that can no longer be edited. */
export function Answers({ application, item, staff }: { application: Application; item: Item; staff?: boolean }) {
  const { t } = useTranslation();
  const values = toFormValues(item.form, application.form);
  const show = (name: string): string => {
    const value = values[name];
    const hint = item.form.ui.fields[name];
    if (value === undefined) return t("common.none");
    if (Array.isArray(value)) return value.map((v) => hint?.options?.[String(v)] ?? String(v)).join("、");
    if (value === "true" || value === "false")
      return hint?.options?.[value] ?? (value === "true" ? t("application.yes") : t("application.no"));
    return hint?.options?.[String(value)] ?? String(value);
  };
  return (
    <>
      <Card className="tb-guide-section">
        <section aria-labelledby="answers-title">
          <h2 id="answers-title" className="tb-card-title">
            {t("application.formTitle")}
          </h2>
          <Descriptions
            column={1}
            size="small"
            items={item.form.ui.order.map((name) => ({
              key: name,
              label: fieldLabel(item.form.ui.fields[name], name),
              children: show(name),
            }))}
          />
        </section>
      </Card>
      <Card className="tb-guide-section">
        <section aria-labelledby="answers-materials-title">
          <h2 id="answers-materials-title" className="tb-card-title">
            {t("application.materialsTitle")}
          </h2>
          <ol className="tb-guide-list tb-guide-materials">
            {item.materials.map((material) => (
              <MaterialField
                key={material.code}
                application={application}
                material={material}
                errors={[]}
                editable={false}
                busy={false}
                onUpload={() => {}}
                onRemove={() => {}}
              />
            ))}
          </ol>
        </section>
      </Card>
      {item.materials.some((m) => m.source === "data") && (
        <Card className="tb-guide-section">
          <VerifiedMaterials application={application} materials={item.materials} staff={staff} />
        </Card>
      )}
      {item.materials.some((m) => m.source === "certificate") && (
        <Card className="tb-guide-section">
          <CertificateMaterials application={application} materials={item.materials} editable={false} />
        </Card>
      )}
    </>
  );
}

export default function ApplicationPage() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const query = useQuery(applicationQuery(id));
  const service = useQuery({
    ...serviceQuery(query.data?.serviceCode ?? "", query.data?.serviceVersion),
    enabled: Boolean(query.data),
  });
  const [error, setError] = useState<string | null>(null);
  usePageTitle(query.data ? `${query.data.serviceName} · ${query.data.number}` : t("application.title"));

  if (query.isPending || (query.data && service.isPending)) {
    return (
      <div className="tb-container tb-page">
        <Skeleton active paragraph={{ rows: 10 }} />
      </div>
    );
  }
  if (query.isError || service.isError) {
    const failure = query.error ?? service.error;
    // Another person's case answers exactly like a case that does not exist (404), so a case id
    // tells nothing about whose it is; the page says both possibilities plainly.
    if (query.isError && isApiError(failure) && (failure.status === 404 || failure.status === 403)) {
      return (
        <div className="tb-container tb-page">
          <Result
            status="403"
            title={<h1 className="tb-page-title">{t("application.noAccessTitle")}</h1>}
            subTitle={t("application.noAccessBody")}
            extra={
              <Link to="/me" className="tb-hbtn tb-apply-link">
                {t("application.myList")}
              </Link>
            }
          />
        </div>
      );
    }
    return (
      <div className="tb-container tb-page">
        <Alert
          type="error"
          showIcon
          title={t("error.loadFailed")}
          description={errorMessage(t, failure)}
          action={<Button onClick={() => void query.refetch()}>{t("common.retry")}</Button>}
        />
        <p>
          <Link to="/me">{t("application.myList")}</Link>
        </p>
      </div>
    );
  }
  const application = query.data;
  const item = service.data?.item;
  if (!item) return null;
  const allowed = new Set(application.allowedActions);
  const mode = allowed.has("submit") ? "submit" : allowed.has("supplement") ? "supplement" : null;

  const withdraw = () =>
    modal.confirm({
      title: t("application.withdrawConfirm"),
      okText: t("application.withdraw"),
      okButtonProps: { danger: true },
      cancelText: t("common.cancel"),
      onOk: async () => {
        try {
          const next = await act(application.id, { type: "withdraw" });
          queryClient.setQueryData(applicationQuery(id).queryKey, next);
          void queryClient.invalidateQueries({ queryKey: ["applications", "list"] });
          setError(null);
          void message.success(t("application.withdrawn"));
        } catch (failure) {
          if (isApiError(failure) && failure.code === "ACTION_NOT_ALLOWED") void query.refetch();
          setError(errorMessage(t, failure));
        }
      },
    });

  return (
    <div className="tb-container tb-page">
      <p>
        <Link to="/me" className="tb-back-link">
          {t("application.myList")}
        </Link>
      </p>
      <h1 className="tb-page-title">{application.serviceName}</h1>
      <p className="tb-muted">
        {t("application.number")}: {application.number} ·{" "}
        <Link to={`/services/${encodeURIComponent(application.serviceCode)}`}>{t("application.goGuide")}</Link>
      </p>
      {error && <Alert type="error" showIcon title={error} role="alert" className="tb-form-summary" />}
      <Flex vertical gap={16}>
        <SparedNote application={application} />
        {application.status !== "draft" && (
          <Card>
            <section aria-labelledby="case-facts-title">
              <h2 id="case-facts-title" className="tb-card-title">
                {t("application.status")}
              </h2>
              <CaseFacts application={application} />
            </section>
          </Card>
        )}
        {application.status !== "draft" && application.status !== "submitted" && (
          <CaseFeeCard applicationId={application.id} />
        )}
        {application.openSupplement && application.openSupplement.length > 0 && (
          <Alert
            type="warning"
            showIcon
            title={t("application.supplementTitle")}
            description={
              <>
                <p>{t("application.supplementLead")}</p>
                <ul className="tb-guide-list">
                  {application.openSupplement.map((entry) => (
                    <li key={`${entry.target}-${entry.problem}`}>
                      {t("application.supplementItem", {
                        target: targetName(item, entry.target),
                        problem: entry.problem,
                      })}
                    </li>
                  ))}
                </ul>
              </>
            }
          />
        )}
        {mode ? (
          <ApplyForm key={`${application.id}-${mode}`} application={application} item={item} mode={mode} />
        ) : (
          <Answers application={application} item={item} />
        )}
        {allowed.has("withdraw") && (
          <div>
            <Button danger onClick={withdraw}>
              {t("application.withdraw")}
            </Button>
          </div>
        )}
        {application.actions.length > 0 && (
          <Card>
            <section aria-labelledby="timeline-title">
              <h2 id="timeline-title" className="tb-card-title">
                {t("application.timeline")}
              </h2>
              <CaseTimeline application={application} item={item} />
            </section>
          </Card>
        )}
      </Flex>
    </div>
  );
}
