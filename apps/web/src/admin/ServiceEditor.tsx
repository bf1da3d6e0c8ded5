import { ArrowLeftOutlined, DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import {
  Channel,
  Classification,
  HandlingMode,
  JurisdictionRule,
  LifeEvent,
  type ServiceItemFields,
  ServiceType,
} from "@tongban/contracts";
import { Alert, App, Button, Card, Flex, Form, type FormInstance, Input, InputNumber, Skeleton } from "antd";
import type { TFunction } from "i18next";
import { type ReactNode, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import type { z } from "zod";
import { isApiError } from "../api/client.ts";
import { useSession } from "../api/session.ts";
import { CheckboxFieldset } from "../forms/CheckboxFieldset.tsx";
import { departmentLabel } from "../forms/DepartmentSelect.tsx";
import { errorMessage, fieldMessage } from "../forms/errors.ts";
import { NativeSelect } from "../forms/NativeSelect.tsx";
import { usePageTitle } from "../usePageTitle.ts";
import { departmentsQuery, serviceVersionQuery, serviceVersionsQuery, useCatalogMutations } from "./api.ts";

type Item = z.infer<typeof ServiceItemFields>;
type NamePath = (string | number)[];

/** The three parts too structured for form fields; the administrator edits them as JSON. */
const jsonParts = ["materials", "workflow", "form"] as const;
type JsonPart = (typeof jsonParts)[number];
const jsonField = (part: JsonPart) => `${part}Json`;

interface EditorValues {
  name: string;
  nameEn: string;
  summary: string;
  type: string;
  departmentCode: string;
  applicantKinds: string[];
  lifeEvents: string[];
  jurisdiction: string;
  classification: string;
  legalBasis: { title?: string; article?: string }[];
  conditions: string[];
  fees: { name?: string; amountYuan?: number | null; basis?: string }[];
  statutoryLimitDays: number | null;
  committedLimitDays: number | null;
  visitsRequired: number | null;
  handlingPlace: string;
  handlingModes: string[];
  channels: string[];
  result: { name?: string; certificateType?: string };
  materialsJson: string;
  workflowJson: string;
  formJson: string;
}

function toValues(item: Item): EditorValues {
  return {
    name: item.name,
    nameEn: item.nameEn,
    summary: item.summary,
    type: item.type,
    departmentCode: item.departmentCode,
    applicantKinds: item.applicantKinds,
    lifeEvents: item.lifeEvents,
    jurisdiction: item.jurisdiction,
    classification: item.classification,
    legalBasis: item.legalBasis.map((basis) => ({ title: basis.title, article: basis.article ?? "" })),
    conditions: item.conditions,
    fees: item.fees,
    statutoryLimitDays: item.statutoryLimitDays,
    committedLimitDays: item.committedLimitDays,
    visitsRequired: item.visitsRequired,
    handlingPlace: item.handlingPlace,
    handlingModes: item.handlingModes,
    channels: item.channels,
    result: { name: item.result.name, certificateType: item.result.certificateType ?? "" },
    materialsJson: JSON.stringify(item.materials, null, 2),
    workflowJson: JSON.stringify(item.workflow, null, 2),
    formJson: JSON.stringify(item.form, null, 2),
  };
}

const text = (value: string | undefined) => (value ?? "").trim();
/** An empty number box sends nothing, so the server names the element as required. */
const number = (value: number | null | undefined) => (typeof value === "number" ? value : undefined);

/** The edited item as the server takes it; the JSON parts that do not parse are answered at once. */
function toItem(
  base: Item,
  values: EditorValues,
): { item: Record<string, unknown>; jsonErrors: { part: JsonPart; message: string }[] } {
  const jsonErrors: { part: JsonPart; message: string }[] = [];
  const parsed: Partial<Record<JsonPart, unknown>> = {};
  for (const part of jsonParts) {
    try {
      parsed[part] = JSON.parse(values[jsonField(part) as keyof EditorValues] as string);
    } catch (error) {
      jsonErrors.push({ part, message: (error as Error).message });
    }
  }
  const certificateType = text(values.result.certificateType);
  const item = {
    ...base,
    name: text(values.name),
    nameEn: text(values.nameEn),
    summary: text(values.summary),
    type: values.type,
    departmentCode: values.departmentCode,
    applicantKinds: values.applicantKinds,
    lifeEvents: values.lifeEvents,
    jurisdiction: values.jurisdiction,
    classification: values.classification,
    legalBasis: (values.legalBasis ?? []).map((basis) => ({
      title: text(basis?.title),
      ...(text(basis?.article) ? { article: text(basis?.article) } : {}),
    })),
    conditions: (values.conditions ?? []).map((condition) => text(condition)),
    fees: (values.fees ?? []).map((fee) => ({
      name: text(fee?.name),
      amountYuan: number(fee?.amountYuan),
      basis: text(fee?.basis),
    })),
    statutoryLimitDays: number(values.statutoryLimitDays),
    committedLimitDays: number(values.committedLimitDays),
    visitsRequired: number(values.visitsRequired),
    handlingPlace: text(values.handlingPlace),
    handlingModes: values.handlingModes,
    channels: values.channels,
    result: { name: text(values.result.name), ...(certificateType ? { certificateType } : {}) },
    ...parsed,
  };
  return { item, jsonErrors };
}

const scalarFields = new Set([
  "name",
  "nameEn",
  "summary",
  "type",
  "departmentCode",
  "applicantKinds",
  "lifeEvents",
  "jurisdiction",
  "classification",
  "statutoryLimitDays",
  "committedLimitDays",
  "visitsRequired",
  "handlingPlace",
  "handlingModes",
  "channels",
]);

/** Where a server field path shows in the editor: the form field, and the path inside a JSON part. */
function placeOf(field: string): { name: NamePath; inside?: string } | null {
  const [head = "", ...rest] = field.split(".");
  if ((jsonParts as readonly string[]).includes(head))
    return { name: [jsonField(head as JsonPart)], inside: rest.join(".") };
  if (scalarFields.has(head)) return { name: [head] };
  const index = Number(rest[0]);
  if (head === "conditions") return { name: Number.isInteger(index) ? ["conditions", index] : ["conditions"] };
  if (head === "legalBasis" || head === "fees") {
    if (Number.isInteger(index) && rest[1]) return { name: [head, index, rest[1]] };
    return { name: [head] };
  }
  if (head === "result") return { name: ["result", rest[0] === "certificateType" ? "certificateType" : "name"] };
  return null;
}

/** Puts the server's field problems next to their fields; answers the count and the ones with no place. */
function placeIssues(
  t: TFunction,
  form: FormInstance,
  issues: { field: string; reason: string; message: string }[],
): { placed: NamePath[]; unplaced: string[] } {
  const byName = new Map<string, { name: NamePath; errors: string[] }>();
  const unplaced: string[] = [];
  for (const issue of issues) {
    const place = placeOf(issue.field);
    let message = fieldMessage(t, "serviceItem", issue.reason);
    if (issue.reason === "INVALID_SCHEMA") message = `${message}（${issue.message}）`;
    if (!place) {
      unplaced.push(`${issue.field}: ${message}`);
      continue;
    }
    const text = place.inside ? `${place.inside}: ${message}` : message;
    const key = JSON.stringify(place.name);
    const entry = byName.get(key) ?? { name: place.name, errors: [] };
    if (!entry.errors.includes(text)) entry.errors.push(text);
    byName.set(key, entry);
  }
  const entries = [...byName.values()];
  form.setFields(entries.map(({ name, errors }) => ({ name, errors })));
  const first = entries[0];
  if (first) form.scrollToField(first.name, { focus: true, block: "center" });
  return { placed: entries.map((e) => e.name), unplaced };
}

function Section({ id, title, lead, children }: { id: string; title: string; lead?: string; children: ReactNode }) {
  return (
    <Card className="tb-guide-section">
      <section aria-labelledby={id}>
        <h2 id={id} className="tb-card-title">
          {title}
        </h2>
        {lead && <p className="tb-muted">{lead}</p>}
        {children}
      </section>
    </Card>
  );
}

function JsonField({ part, label, lead }: { part: JsonPart; label: string; lead: string }) {
  return (
    <Form.Item name={jsonField(part)} label={label} extra={lead}>
      <Input.TextArea className="tb-json-input" autoSize={{ minRows: 6, maxRows: 24 }} spellCheck={false} />
    </Form.Item>
  );
}

export default function ServiceEditor() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const { code = "" } = useParams();
  const [params] = useSearchParams();
  const { user } = useSession();
  const versions = useQuery(serviceVersionsQuery(code));
  const from = Number(params.get("from")) || versions.data?.find((v) => v.status === "published")?.version || 0;
  const source = useQuery({ ...serviceVersionQuery(code, from), enabled: from > 0 });
  const departments = useQuery({ ...departmentsQuery(user?.regionCode ?? ""), enabled: Boolean(user?.regionCode) });
  const mutations = useCatalogMutations(code);
  // Untyped: server problems land on paths (e.g. legalBasis.0.title) known only at run time.
  const [form] = Form.useForm();
  const [summary, setSummary] = useState<string | null>(null);
  const shown = useRef<NamePath[]>([]);
  usePageTitle(t("admin.services.editTitle", { name: source.data?.item.name ?? code }));

  const back = (
    <Link to={`/admin/services/${encodeURIComponent(code)}`} className="tb-back-link">
      <ArrowLeftOutlined aria-hidden /> {t("admin.services.backToItem")}
    </Link>
  );
  if (versions.isPending || source.isPending) return <Skeleton active paragraph={{ rows: 12 }} />;
  if (versions.isError || source.isError) {
    return (
      <>
        {back}
        <Alert type="error" showIcon title={errorMessage(t, versions.error ?? source.error)} />
      </>
    );
  }
  const base = source.data.item;
  const next = Math.max(...versions.data.map((v) => v.version)) + 1;

  const save = async (values: EditorValues) => {
    form.setFields(shown.current.map((name) => ({ name, errors: [] })));
    shown.current = [];
    setSummary(null);
    const { item, jsonErrors } = toItem(base, values);
    if (jsonErrors.length > 0) {
      const names = jsonErrors.map(({ part }) => [jsonField(part)]);
      form.setFields(
        jsonErrors.map(({ part, message: detail }) => ({
          name: [jsonField(part)],
          errors: [t("admin.services.editor.jsonInvalid", { detail })],
        })),
      );
      shown.current = names;
      form.scrollToField(names[0] ?? [], { focus: true, block: "center" });
      setSummary(t("application.errorsSummary", { count: jsonErrors.length }));
      return;
    }
    try {
      const created = await mutations.createDraft.mutateAsync(item);
      void message.success(t("admin.services.draftSaved", { version: created.version }));
      void navigate(`/admin/services/${encodeURIComponent(code)}?version=${created.version}`);
    } catch (error) {
      if (isApiError(error) && error.fieldIssues.length > 0) {
        const { placed, unplaced } = placeIssues(t, form, error.fieldIssues);
        shown.current = placed;
        setSummary([t("application.errorsSummary", { count: error.fieldIssues.length }), ...unplaced].join(" "));
        return;
      }
      setSummary(errorMessage(t, error));
    }
  };

  const removeLabel = (n: number) => t("queue.removeItem", { n });

  return (
    <>
      {back}
      <h1 className="tb-page-title">{t("admin.services.editTitle", { name: base.name })}</h1>
      <p className="tb-muted">
        <code>{code}</code> · {t("admin.services.editor.lead", { from, next })}
      </p>
      {summary && (
        <Alert
          type="error"
          showIcon
          title={summary}
          role="alert"
          className="tb-form-summary"
          data-testid="editor-alert"
        />
      )}
      <Form
        form={form}
        name="service-edit"
        layout="vertical"
        initialValues={toValues(base)}
        onFinish={(values: EditorValues) => void save(values)}
        disabled={mutations.createDraft.isPending}
      >
        <Flex vertical gap={16}>
          <Section id="edit-basic" title={t("admin.services.editor.basic")}>
            <Form.Item name="name" label={t("admin.services.editor.name")}>
              <Input maxLength={100} />
            </Form.Item>
            <Form.Item name="nameEn" label={t("admin.services.editor.nameEn")}>
              <Input maxLength={200} lang="en" />
            </Form.Item>
            <Form.Item name="summary" label={t("guide.summary")}>
              <Input.TextArea autoSize={{ minRows: 3, maxRows: 10 }} maxLength={2000} />
            </Form.Item>
            <Form.Item name="type" label={t("guide.type")}>
              <NativeSelect
                options={ServiceType.options.map((value) => ({ value, label: t(`serviceType.${value}`) }))}
              />
            </Form.Item>
            <Form.Item name="departmentCode" label={t("guide.department")}>
              <NativeSelect
                options={
                  departments.data
                    ? departments.data.map((d) => ({ value: d.code, label: departmentLabel(d) }))
                    : [{ value: base.departmentCode, label: source.data.departmentName }]
                }
              />
            </Form.Item>
            <Form.Item name="applicantKinds" label={t("guide.applicantKinds")}>
              <CheckboxFieldset
                legend={t("guide.applicantKinds")}
                options={(["resident", "enterprise"] as const).map((value) => ({ value, label: t(`kind.${value}`) }))}
              />
            </Form.Item>
            <Form.Item name="lifeEvents" label={t("services.lifeEventLabel")}>
              <CheckboxFieldset
                legend={t("services.lifeEventLabel")}
                options={LifeEvent.options.map((value) => ({ value, label: t(`lifeEvent.${value}`) }))}
              />
            </Form.Item>
            <Form.Item name="jurisdiction" label={t("guide.jurisdiction")}>
              <NativeSelect
                options={JurisdictionRule.options.map((value) => ({ value, label: t(`jurisdiction.${value}`) }))}
              />
            </Form.Item>
            <Form.Item name="classification" label={t("guide.classification")}>
              <NativeSelect
                options={Classification.options.map((value) => ({ value, label: t(`clearance.${value}`) }))}
              />
            </Form.Item>
            <Form.Item name={["result", "name"]} label={t("guide.result")}>
              <Input maxLength={100} />
            </Form.Item>
            <Form.Item
              name={["result", "certificateType"]}
              label={`${t("admin.services.editor.certificateType")} (${t("common.optional")})`}
              extra={t("admin.services.editor.certificateTypeHint")}
            >
              <Input maxLength={60} spellCheck={false} />
            </Form.Item>
          </Section>

          <Section id="edit-basis" title={t("guide.legalBasis")}>
            <Form.List name="legalBasis">
              {(fields, { add, remove }, { errors }) => (
                <>
                  {fields.map((field, index) => (
                    <fieldset key={field.key} className="tb-supplement-row">
                      <legend>{t("queue.itemLabel", { n: index + 1 })}</legend>
                      <Form.Item name={[field.name, "title"]} label={t("admin.services.editor.basisTitle")}>
                        <Input maxLength={200} />
                      </Form.Item>
                      <Form.Item
                        name={[field.name, "article"]}
                        label={`${t("admin.services.editor.basisArticle")} (${t("common.optional")})`}
                      >
                        <Input maxLength={100} />
                      </Form.Item>
                      <Button danger icon={<DeleteOutlined aria-hidden />} onClick={() => remove(field.name)}>
                        {removeLabel(index + 1)}
                      </Button>
                    </fieldset>
                  ))}
                  <Form.ErrorList errors={errors} />
                  <Button icon={<PlusOutlined aria-hidden />} onClick={() => add({ title: "", article: "" })}>
                    {t("admin.services.editor.addBasis")}
                  </Button>
                </>
              )}
            </Form.List>
          </Section>

          <Section id="edit-conditions" title={t("guide.conditions")}>
            <Form.List name="conditions">
              {(fields, { add, remove }, { errors }) => (
                <>
                  {fields.map((field, index) => (
                    <Flex key={field.key} gap={8} align="flex-start">
                      <Form.Item
                        name={field.name}
                        label={t("admin.services.editor.conditionN", { n: index + 1 })}
                        style={{ flex: 1, minWidth: 0 }}
                      >
                        <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={500} />
                      </Form.Item>
                      <Button
                        danger
                        icon={<DeleteOutlined aria-hidden />}
                        aria-label={removeLabel(index + 1)}
                        onClick={() => remove(field.name)}
                        style={{ marginTop: 30 }}
                      />
                    </Flex>
                  ))}
                  <Form.ErrorList errors={errors} />
                  <Button icon={<PlusOutlined aria-hidden />} onClick={() => add("")}>
                    {t("admin.services.editor.addCondition")}
                  </Button>
                </>
              )}
            </Form.List>
          </Section>

          <Section id="edit-fees" title={t("guide.fees")} lead={t("admin.services.editor.feesLead")}>
            <Form.List name="fees">
              {(fields, { add, remove }, { errors }) => (
                <>
                  {fields.map((field, index) => (
                    <fieldset key={field.key} className="tb-supplement-row">
                      <legend>{t("queue.itemLabel", { n: index + 1 })}</legend>
                      <Form.Item name={[field.name, "name"]} label={t("admin.services.editor.feeName")}>
                        <Input maxLength={100} />
                      </Form.Item>
                      <Form.Item name={[field.name, "amountYuan"]} label={t("admin.services.editor.feeAmount")}>
                        <InputNumber precision={2} style={{ width: "100%" }} />
                      </Form.Item>
                      <Form.Item name={[field.name, "basis"]} label={t("admin.services.editor.feeBasis")}>
                        <Input maxLength={300} />
                      </Form.Item>
                      <Button danger icon={<DeleteOutlined aria-hidden />} onClick={() => remove(field.name)}>
                        {removeLabel(index + 1)}
                      </Button>
                    </fieldset>
                  ))}
                  <Form.ErrorList errors={errors} />
                  <Button icon={<PlusOutlined aria-hidden />} onClick={() => add({ name: "", basis: "" })}>
                    {t("admin.services.editor.addFee")}
                  </Button>
                </>
              )}
            </Form.List>
          </Section>

          <Section id="edit-limits" title={t("guide.limits")}>
            <Form.Item
              name="statutoryLimitDays"
              label={t("admin.services.editor.statutoryLimit")}
              extra={t("admin.services.editor.daysHint")}
            >
              <InputNumber precision={0} style={{ width: "100%", maxWidth: 240 }} />
            </Form.Item>
            <Form.Item
              name="committedLimitDays"
              label={t("admin.services.editor.committedLimit")}
              extra={t("admin.services.editor.committedHint")}
            >
              <InputNumber precision={0} style={{ width: "100%", maxWidth: 240 }} />
            </Form.Item>
            <Form.Item name="visitsRequired" label={t("guide.visits")}>
              <InputNumber precision={0} style={{ width: "100%", maxWidth: 240 }} />
            </Form.Item>
            <Form.Item name="handlingPlace" label={t("guide.place")}>
              <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={300} />
            </Form.Item>
            <Form.Item name="handlingModes" label={t("guide.modes")}>
              <CheckboxFieldset
                legend={t("guide.modes")}
                options={HandlingMode.options.map((value) => ({ value, label: t(`handlingMode.${value}`) }))}
              />
            </Form.Item>
            <Form.Item name="channels" label={t("guide.channels")}>
              <CheckboxFieldset
                legend={t("guide.channels")}
                options={Channel.options.map((value) => ({ value, label: t(`channel.${value}`) }))}
              />
            </Form.Item>
          </Section>

          <Section
            id="edit-advanced"
            title={t("admin.services.editor.advanced")}
            lead={t("admin.services.editor.advancedLead")}
          >
            <JsonField part="materials" label={t("guide.materials")} lead={t("admin.services.editor.materialsHint")} />
            <JsonField part="workflow" label={t("guide.workflow")} lead={t("admin.services.editor.workflowHint")} />
            <JsonField part="form" label={t("guide.formFields")} lead={t("admin.services.editor.formHint")} />
          </Section>

          <Flex gap={12} wrap>
            <Button type="primary" size="large" htmlType="submit" loading={mutations.createDraft.isPending}>
              {t("admin.services.editor.save", { version: next })}
            </Button>
            <Link to={`/admin/services/${encodeURIComponent(code)}`} className="tb-cancel-link">
              {t("common.cancel")}
            </Link>
          </Flex>
        </Flex>
      </Form>
    </>
  );
}
