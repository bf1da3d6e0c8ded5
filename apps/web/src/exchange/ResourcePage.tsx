// One data resource of the catalogue: its fields with classification and masking, its sharing class,
// and — for another department's conditionally shared resource — the request for it.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { DataResource } from "@tongban/contracts";
import { Alert, App, Button, Card, Descriptions, Flex, Form, Input, Skeleton } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { isApiError } from "../api/client.ts";
import { useSession } from "../api/session.ts";
import { CheckboxFieldset } from "../forms/CheckboxFieldset.tsx";
import { errorMessage, fieldMessage } from "../forms/errors.ts";
import { usePageTitle } from "../usePageTitle.ts";
import { createRequest, resourceQuery } from "./api.ts";
import { SharingClassTag } from "./DataSharingPage.tsx";

/** The day a year from now, the default last day of a request. */
function aYearFromNow(): string {
  const date = new Date();
  date.setFullYear(date.getFullYear() + 1);
  return date.toISOString().slice(0, 10);
}

function RequestForm({ resource }: { resource: DataResource }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const required = { required: true, message: t("validation.any.REQUIRED") };
  const submit = async (values: { purpose: string; legalBasis: string; fields: string[]; expiresOn: string }) => {
    setBusy(true);
    setError(null);
    try {
      await createRequest({ resource: resource.code, ...values });
      void queryClient.invalidateQueries({ queryKey: ["exchange", "requests"] });
      void message.success(t("exchange.request.submitted", { department: resource.departmentName }));
      form.resetFields();
    } catch (failure) {
      if (isApiError(failure) && failure.fieldIssues.length > 0) {
        form.setFields(
          failure.fieldIssues.map((issue) => ({
            name: issue.field.split(".")[0] ?? issue.field,
            errors: [fieldMessage(t, "any", issue.reason)],
          })),
        );
      }
      setError(errorMessage(t, failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="request-title">
      <h2 id="request-title" className="tb-card-title">
        {t("exchange.request.title")}
      </h2>
      <p className="tb-muted">{t("exchange.request.lead", { department: resource.departmentName })}</p>
      {error && <Alert type="error" showIcon title={error} role="alert" className="tb-form-summary" />}
      <Form
        form={form}
        name="sharing-request"
        layout="vertical"
        initialValues={{ expiresOn: aYearFromNow(), fields: [] }}
        onFinish={(values) => void submit(values)}
        disabled={busy}
      >
        <Form.Item
          name="purpose"
          label={t("exchange.request.purpose")}
          rules={[required, { min: 4, message: t("validation.any.TOO_SHORT") }]}
        >
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        <Form.Item
          name="legalBasis"
          label={t("exchange.request.legalBasis")}
          rules={[required, { min: 2, message: t("validation.any.TOO_SHORT") }]}
        >
          <Input maxLength={500} />
        </Form.Item>
        <Form.Item
          name="fields"
          label={t("exchange.request.fields")}
          rules={[{ required: true, type: "array", min: 1, message: t("exchange.request.fieldsRequired") }]}
        >
          <CheckboxFieldset
            legend={t("exchange.request.fields")}
            vertical
            options={resource.fields.map((f) => ({ value: f.name, label: `${f.label}（${f.name}）` }))}
          />
        </Form.Item>
        <Form.Item name="expiresOn" label={t("exchange.request.expiresOn")} rules={[required]}>
          <Input type="date" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t("exchange.request.submit")}
        </Button>
      </Form>
    </section>
  );
}

/** Why no request is needed (or possible), or the request form. */
function RequestSection({ resource }: { resource: DataResource }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const reason =
    resource.departmentId === user?.departmentId
      ? "own"
      : resource.sharingClass === "none"
        ? "none"
        : resource.connector.kind === "thematic"
          ? "thematic"
          : resource.sharingClass === "unconditional"
            ? "unconditional"
            : null;
  if (reason)
    return <Alert type={reason === "none" ? "warning" : "info"} showIcon title={t(`exchange.request.${reason}`)} />;
  return <RequestForm resource={resource} />;
}

export default function ResourcePage() {
  const { t } = useTranslation();
  const { code = "" } = useParams();
  const query = useQuery(resourceQuery(code));
  usePageTitle(query.data?.name ?? t("exchange.console.title"));
  const back = (
    <p>
      <Link to="/workbench/data-sharing" className="tb-back-link">
        {t("exchange.console.back")}
      </Link>
    </p>
  );
  if (query.isPending) return <Skeleton active paragraph={{ rows: 8 }} />;
  if (query.isError)
    return (
      <>
        {back}
        <Alert
          type="error"
          showIcon
          title={t("error.loadFailed")}
          description={errorMessage(t, query.error)}
          action={<Button onClick={() => void query.refetch()}>{t("common.retry")}</Button>}
        />
      </>
    );
  const resource = query.data;
  const yesNo = (value: boolean) => (value ? t("exchange.console.yes") : t("exchange.console.no"));
  return (
    <>
      {back}
      <Flex gap={8} wrap align="baseline">
        <h1 className="tb-page-title">{resource.name}</h1>
        <SharingClassTag value={resource.sharingClass} />
      </Flex>
      <Flex vertical gap={16}>
        <Card>
          <Descriptions
            column={{ xs: 1, sm: 1, md: 2 }}
            size="small"
            items={[
              { key: "code", label: t("exchange.console.code"), children: <code>{resource.code}</code> },
              { key: "provider", label: t("exchange.console.provider"), children: resource.departmentName },
              { key: "description", label: t("exchange.console.description"), children: resource.description },
              {
                key: "sharingClass",
                label: t("exchange.console.sharingClass"),
                children: t(`exchange.sharingClasses.${resource.sharingClass}`),
              },
              {
                key: "legalBasis",
                label: t("exchange.console.legalBasis"),
                children:
                  resource.legalBasis.length > 0
                    ? resource.legalBasis.map((b) => `${b.title}${b.article ? ` ${b.article}` : ""}`).join("；")
                    : t("exchange.console.noLegalBasis"),
              },
              {
                key: "updateFrequency",
                label: t("exchange.console.updateFrequency"),
                children: t(`exchange.frequencies.${resource.updateFrequency}`),
              },
              {
                key: "accessMethod",
                label: t("exchange.console.accessMethod"),
                children: t(`exchange.accessMethods.${resource.accessMethod}`),
              },
              { key: "keyField", label: t("exchange.console.keyField"), children: resource.keyField ?? "—" },
              {
                key: "connector",
                label: t("exchange.console.connectorKind"),
                children: t(`exchange.connectors.${resource.connector.kind}`),
              },
            ]}
          />
        </Card>
        <Card>
          <section aria-labelledby="fields-title">
            <h2 id="fields-title" className="tb-card-title">
              {t("exchange.console.fields")}
            </h2>
            {/* A list, not a table: it reads the same on a phone as on a desktop, without scrolling sideways. */}
            <ul className="tb-access-list">
              {resource.fields.map((f) => (
                <li key={f.name} className="tb-access" data-field={f.name}>
                  <Flex gap={8} wrap align="baseline">
                    <strong>{f.label}</strong>
                    <code className="tb-muted">{f.name}</code>
                  </Flex>
                  {f.from && (
                    <div className="tb-muted">
                      {t("exchange.console.source", { resource: f.from.resource, field: f.from.field })}
                    </div>
                  )}
                  <Descriptions
                    column={{ xs: 1, sm: 2, md: 4 }}
                    size="small"
                    items={[
                      {
                        key: "type",
                        label: t("exchange.console.fieldType"),
                        children: t(`exchange.fieldTypes.${f.type}`),
                      },
                      {
                        key: "classification",
                        label: t("exchange.console.classification"),
                        children: t(`exchange.classifications.${f.classification}`),
                      },
                      { key: "personal", label: t("exchange.console.personal"), children: yesNo(f.personal) },
                      {
                        key: "masking",
                        label: t("exchange.console.masking"),
                        children: t(`exchange.maskings.${f.masking}`),
                      },
                    ]}
                  />
                </li>
              ))}
            </ul>
          </section>
        </Card>
        <Card>
          <RequestSection resource={resource} />
        </Card>
      </Flex>
    </>
  );
}
