// The data steward's console (数据共享): the resource catalogue, the sharing requests received and sent,
// and the grants on the department's resources and held by it.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type {
  DataResourceSummary,
  Grant,
  GrantStatus,
  SharingClass,
  SharingRequest,
  SharingRequestStatus,
} from "@tongban/contracts";
import { Alert, App, Button, Card, Descriptions, Flex, Form, Input, InputNumber, Modal, Tag } from "antd";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { isApiError } from "../api/client.ts";
import { useSession } from "../api/session.ts";
import { formatDate, formatDateTime } from "../format.ts";
import { CheckboxFieldset } from "../forms/CheckboxFieldset.tsx";
import { errorMessage, fieldMessage } from "../forms/errors.ts";
import { NativeSelect } from "../forms/NativeSelect.tsx";
import { SearchBox } from "../forms/SearchBox.tsx";
import { useUrlFilters } from "../forms/useUrlFilters.ts";
import { currentLanguage } from "../i18n/index.ts";
import { QueryState } from "../layout/QueryState.tsx";
import { usePageTitle } from "../usePageTitle.ts";
import { decideRequest, grantsQuery, requestsQuery, resourceQuery, resourcesQuery, revokeGrant } from "./api.ts";

const sharingClasses: SharingClass[] = ["unconditional", "conditional", "none"];
const sharingTone: Record<SharingClass, string> = { unconditional: "green", conditional: "blue", none: "red" };
const requestStatuses: SharingRequestStatus[] = ["pending", "approved", "refused"];
const requestTone: Record<SharingRequestStatus, string> = { pending: "orange", approved: "green", refused: "red" };
const grantStatuses: GrantStatus[] = ["active", "expired", "revoked"];
const grantTone: Record<GrantStatus, string> = { active: "green", expired: "default", revoked: "red" };
const tabs = ["catalogue", "incoming", "outgoing", "grants"] as const;
type Tab = (typeof tabs)[number];

export function SharingClassTag({ value }: { value: SharingClass }) {
  const { t } = useTranslation();
  return <Tag className={`tb-tone tb-tone-${sharingTone[value]}`}>{t(`exchange.sharingClasses.${value}`)}</Tag>;
}

/** A labelled native select whose first option means "any". */
function FilterSelect<T extends string>(props: {
  label: string;
  value: T | undefined;
  options: { value: T; label: string }[];
  onChange: (value: string) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <Flex vertical gap={4}>
      <label htmlFor={id} className="tb-filter-label">
        {props.label}
      </label>
      <NativeSelect
        id={id}
        value={props.value ?? ""}
        onChange={(event) => props.onChange(event.target.value)}
        options={[{ value: "", label: t("exchange.console.all") }, ...props.options]}
      />
    </Flex>
  );
}

function ResourceItem({ resource }: { resource: DataResourceSummary }) {
  const { t } = useTranslation();
  return (
    <li className="tb-access" data-resource={resource.code}>
      <Flex gap={8} wrap align="baseline">
        <Link to={`/workbench/data-sharing/resources/${encodeURIComponent(resource.code)}`}>
          <strong>{resource.name}</strong>
        </Link>
        <SharingClassTag value={resource.sharingClass} />
      </Flex>
      <div className="tb-muted">
        {resource.departmentName} · <code>{resource.code}</code>
      </div>
      <div>{resource.description}</div>
      <div className="tb-muted">
        {t(`exchange.connectors.${resource.connectorKind}`)} · {t(`exchange.accessMethods.${resource.accessMethod}`)} ·{" "}
        {t("exchange.console.fieldCount", { count: resource.fieldCount })}
      </div>
    </li>
  );
}

function CatalogueTab() {
  const { t } = useTranslation();
  const [params, setFilter] = useUrlFilters();
  const q = params.get("q") ?? "";
  const sharingClass = sharingClasses.find((c) => c === params.get("sharingClass"));
  // The staff member's own region's catalogue: the departments they share with day to day.
  const { user } = useSession();
  const query = useQuery(
    resourcesQuery({ q: q || undefined, sharingClass, regionCode: user?.regionCode ?? undefined }),
  );
  return (
    <>
      <Flex gap={16} wrap align="end" className="tb-filter-row">
        <SearchBox
          value={q}
          label={t("exchange.console.search")}
          placeholder={t("exchange.console.searchPlaceholder")}
          onSearch={(text) => setFilter("q", text)}
        />
        <FilterSelect
          label={t("exchange.console.sharingClass")}
          value={sharingClass}
          options={sharingClasses.map((c) => ({ value: c, label: t(`exchange.sharingClasses.${c}`) }))}
          onChange={(value) => setFilter("sharingClass", value)}
        />
      </Flex>
      <QueryState query={query} empty={t("exchange.console.empty")}>
        {(resources) => (
          <>
            <p className="tb-muted" aria-live="polite">
              {t("exchange.console.resourceCount", { count: resources.length })}
            </p>
            <ul className="tb-access-list">
              {resources.map((resource) => (
                <ResourceItem key={resource.code} resource={resource} />
              ))}
            </ul>
          </>
        )}
      </QueryState>
    </>
  );
}

/** Approving with possibly fewer fields and an earlier last day, or refusing with reasons. */
function DecisionDialog({
  request,
  decision,
  onClose,
}: {
  request: SharingRequest;
  decision: "approve" | "refuse";
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const resource = useQuery({ ...resourceQuery(request.resource), enabled: decision === "approve" });
  const labelOf = (name: string) => resource.data?.fields.find((f) => f.name === name)?.label ?? name;
  const required = { required: true, message: t("validation.any.REQUIRED") };

  const submit = async (values: {
    fields?: string[];
    expiresOn?: string;
    rateLimitPerMinute?: number;
    note?: string;
    reason?: string;
  }) => {
    setBusy(true);
    setError(null);
    try {
      await decideRequest(
        request.id,
        decision === "approve"
          ? {
              decision: "approve",
              fields: values.fields,
              ...(values.expiresOn ? { expiresOn: values.expiresOn } : {}),
              rateLimitPerMinute: values.rateLimitPerMinute ?? 600,
              ...(values.note ? { note: values.note } : {}),
            }
          : { decision: "refuse", reason: values.reason ?? "" },
      );
      void queryClient.invalidateQueries({ queryKey: ["exchange"] });
      void message.success(t(decision === "approve" ? "exchange.requests.approved" : "exchange.requests.refused"));
      onClose();
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
    <Modal
      open
      title={t(decision === "approve" ? "exchange.requests.approveTitle" : "exchange.requests.refuseTitle", {
        resource: request.resourceName,
      })}
      okText={t(decision === "approve" ? "exchange.requests.approve" : "exchange.requests.refuse")}
      cancelText={t("common.cancel")}
      okButtonProps={{ danger: decision === "refuse" }}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} role="alert" className="tb-form-summary" />}
      <p className="tb-muted">
        {request.consumerDepartmentName} · {request.purpose}
      </p>
      <Form
        form={form}
        name={`decision-${decision}`}
        layout="vertical"
        onFinish={(values) => void submit(values)}
        initialValues={{ fields: request.fields, rateLimitPerMinute: 600 }}
      >
        {decision === "approve" ? (
          <>
            <Form.Item
              name="fields"
              label={t("exchange.requests.approveFields")}
              rules={[{ required: true, type: "array", min: 1, message: t("exchange.request.fieldsRequired") }]}
            >
              <CheckboxFieldset
                legend={t("exchange.requests.approveFields")}
                vertical
                options={request.fields.map((name) => ({ value: name, label: `${labelOf(name)}（${name}）` }))}
              />
            </Form.Item>
            <Form.Item name="expiresOn" label={t("exchange.requests.approveExpiresOn")}>
              <Input type="date" max={request.expiresOn} />
            </Form.Item>
            <Form.Item name="rateLimitPerMinute" label={t("exchange.requests.rateLimit")} rules={[required]}>
              <InputNumber min={1} max={1_000_000} precision={0} />
            </Form.Item>
            <Form.Item name="note" label={t("exchange.requests.note")}>
              <Input.TextArea rows={2} maxLength={2000} />
            </Form.Item>
          </>
        ) : (
          <Form.Item
            name="reason"
            label={t("exchange.requests.refuseReason")}
            rules={[required, { min: 2, message: t("validation.any.TOO_SHORT") }]}
          >
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function RequestItem({ request, side }: { request: SharingRequest; side: "incoming" | "outgoing" }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const [deciding, setDeciding] = useState<"approve" | "refuse" | null>(null);
  return (
    <li className="tb-access" data-request={request.id}>
      <Flex gap={8} wrap align="baseline">
        <Link to={`/workbench/data-sharing/resources/${encodeURIComponent(request.resource)}`}>
          <strong>{request.resourceName}</strong>
        </Link>
        <Tag className={`tb-tone tb-tone-${requestTone[request.status]}`}>
          {t(`exchange.requests.statuses.${request.status}`)}
        </Tag>
      </Flex>
      <Descriptions
        column={{ xs: 1, sm: 1, md: 2 }}
        size="small"
        items={[
          side === "incoming"
            ? { key: "consumer", label: t("exchange.requests.consumer"), children: request.consumerDepartmentName }
            : { key: "provider", label: t("exchange.requests.provider"), children: request.providerDepartmentName },
          { key: "requestedBy", label: t("exchange.requests.requestedBy"), children: request.requestedByName },
          { key: "purpose", label: t("exchange.requests.purpose"), children: request.purpose },
          { key: "legalBasis", label: t("exchange.requests.legalBasis"), children: request.legalBasis },
          { key: "fields", label: t("exchange.requests.fields"), children: request.fields.join("、") },
          {
            key: "expiresOn",
            label: t("exchange.requests.expiresOn"),
            children: formatDate(request.expiresOn, language),
          },
          {
            key: "createdAt",
            label: t("exchange.requests.createdAt"),
            children: formatDateTime(request.createdAt, language),
          },
          ...(request.decidedByName
            ? [{ key: "decidedBy", label: t("exchange.requests.decidedBy"), children: request.decidedByName }]
            : []),
          ...(request.decisionNote
            ? [{ key: "note", label: t("exchange.requests.decisionNote"), children: request.decisionNote }]
            : []),
        ]}
      />
      {side === "incoming" && request.status === "pending" && (
        <Flex gap={8} wrap>
          <Button type="primary" onClick={() => setDeciding("approve")}>
            {t("exchange.requests.approve")}
          </Button>
          <Button danger onClick={() => setDeciding("refuse")}>
            {t("exchange.requests.refuse")}
          </Button>
        </Flex>
      )}
      {deciding && <DecisionDialog request={request} decision={deciding} onClose={() => setDeciding(null)} />}
    </li>
  );
}

function RequestsTab({ side }: { side: "incoming" | "outgoing" }) {
  const { t } = useTranslation();
  const [params, setFilter] = useUrlFilters();
  const raw = params.get("status");
  // Received requests open on those waiting for a decision.
  const status =
    raw === "all"
      ? undefined
      : (requestStatuses.find((s) => s === raw) ?? (side === "incoming" ? "pending" : undefined));
  const query = useQuery(requestsQuery(side, status));
  return (
    <>
      <Flex gap={16} wrap className="tb-filter-row">
        <FilterSelect
          label={t("exchange.requests.status")}
          value={status}
          options={requestStatuses.map((s) => ({ value: s, label: t(`exchange.requests.statuses.${s}`) }))}
          onChange={(value) => setFilter("status", value || "all")}
        />
      </Flex>
      <QueryState
        query={query}
        empty={side === "incoming" ? t("exchange.requests.noIncoming") : t("exchange.requests.noOutgoing")}
      >
        {(requests) => (
          <>
            <p className="tb-muted" aria-live="polite">
              {t("exchange.requests.count", { count: requests.length })}
            </p>
            <ul className="tb-access-list">
              {requests.map((request) => (
                <RequestItem key={request.id} request={request} side={side} />
              ))}
            </ul>
          </>
        )}
      </QueryState>
    </>
  );
}

function RevokeDialog({ grant, onClose }: { grant: Grant; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async ({ reason }: { reason: string }) => {
    setBusy(true);
    setError(null);
    try {
      await revokeGrant(grant.id, reason);
      void queryClient.invalidateQueries({ queryKey: ["exchange"] });
      void message.success(t("exchange.grants.revoked"));
      onClose();
    } catch (failure) {
      setError(errorMessage(t, failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t("exchange.grants.revokeTitle", {
        resource: grant.resourceName,
        department: grant.consumerDepartmentName,
      })}
      okText={t("exchange.grants.revoke")}
      cancelText={t("common.cancel")}
      okButtonProps={{ danger: true }}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} role="alert" className="tb-form-summary" />}
      <Form form={form} name="revoke" layout="vertical" onFinish={(values) => void submit(values)}>
        <Form.Item
          name="reason"
          label={t("exchange.grants.revokeReason")}
          rules={[
            { required: true, message: t("validation.any.REQUIRED") },
            { min: 2, message: t("validation.any.TOO_SHORT") },
          ]}
        >
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function GrantItem({ grant, side }: { grant: Grant; side: "incoming" | "outgoing" }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const [revoking, setRevoking] = useState(false);
  return (
    <li className="tb-access" data-grant={grant.id}>
      <Flex gap={8} wrap align="baseline">
        <strong>{grant.resourceName}</strong>
        <Tag className={`tb-tone tb-tone-${grantTone[grant.status]}`}>
          {t(`exchange.grants.statuses.${grant.status}`)}
        </Tag>
      </Flex>
      <Descriptions
        column={{ xs: 1, sm: 1, md: 2 }}
        size="small"
        items={[
          side === "incoming"
            ? { key: "consumer", label: t("exchange.requests.consumer"), children: grant.consumerDepartmentName }
            : { key: "provider", label: t("exchange.requests.provider"), children: grant.providerDepartmentName },
          { key: "purpose", label: t("exchange.requests.purpose"), children: grant.purpose },
          { key: "fields", label: t("exchange.requests.fields"), children: grant.fields.join("、") },
          {
            key: "expiresAt",
            label: t("exchange.grants.expiresAt"),
            children: formatDateTime(grant.expiresAt, language),
          },
          {
            key: "rate",
            label: t("exchange.grants.rate"),
            children: t("exchange.grants.rateValue", { count: grant.rateLimitPerMinute }),
          },
          { key: "grantedBy", label: t("exchange.grants.grantedBy"), children: grant.grantedByName },
          ...(grant.revokeReason
            ? [
                {
                  key: "revoked",
                  label: t("exchange.grants.statuses.revoked"),
                  children: t("exchange.grants.revokedBecause", { reason: grant.revokeReason }),
                },
              ]
            : []),
        ]}
      />
      {side === "incoming" && grant.status === "active" && (
        <Button danger onClick={() => setRevoking(true)}>
          {t("exchange.grants.revoke")}
        </Button>
      )}
      {revoking && <RevokeDialog grant={grant} onClose={() => setRevoking(false)} />}
    </li>
  );
}

function GrantList({ side, status }: { side: "incoming" | "outgoing"; status: GrantStatus | undefined }) {
  const { t } = useTranslation();
  const query = useQuery(grantsQuery(side, status));
  const titleId = useId();
  return (
    <section aria-labelledby={titleId}>
      <h2 id={titleId} className="tb-card-title">
        {t(side === "incoming" ? "exchange.grants.incoming" : "exchange.grants.outgoing")}
      </h2>
      <QueryState query={query} empty={t("exchange.grants.empty")}>
        {(grants) => (
          <ul className="tb-access-list">
            {grants.map((grant) => (
              <GrantItem key={grant.id} grant={grant} side={side} />
            ))}
          </ul>
        )}
      </QueryState>
    </section>
  );
}

function GrantsTab() {
  const { t } = useTranslation();
  const [params, setFilter] = useUrlFilters();
  const status = grantStatuses.find((s) => s === params.get("grantStatus"));
  return (
    <>
      <Flex gap={16} wrap className="tb-filter-row">
        <FilterSelect
          label={t("exchange.requests.status")}
          value={status}
          options={grantStatuses.map((s) => ({ value: s, label: t(`exchange.grants.statuses.${s}`) }))}
          onChange={(value) => setFilter("grantStatus", value)}
        />
      </Flex>
      <Flex vertical gap={24}>
        <GrantList side="incoming" status={status} />
        <GrantList side="outgoing" status={status} />
      </Flex>
    </>
  );
}

export default function DataSharingPage() {
  const { t } = useTranslation();
  usePageTitle(t("exchange.console.title"));
  const [params] = useUrlFilters();
  const tab: Tab = tabs.find((k) => k === params.get("tab")) ?? "catalogue";
  return (
    <div>
      <h1 className="tb-page-title">{t("exchange.console.title")}</h1>
      <p className="tb-muted">{t("exchange.console.lead")}</p>
      <Card>
        {/* Links rather than tabs: each part has its own address, and they wrap on a phone. */}
        <nav aria-label={t("exchange.console.title")}>
          <ul className="tb-subnav">
            {tabs.map((key) => (
              <li key={key}>
                <Link
                  to={key === "catalogue" ? "/workbench/data-sharing" : `/workbench/data-sharing?tab=${key}`}
                  aria-current={key === tab ? "page" : undefined}
                >
                  {t(`exchange.console.tabs.${key}`)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        {tab === "catalogue" ? (
          <CatalogueTab />
        ) : tab === "grants" ? (
          <GrantsTab />
        ) : (
          <RequestsTab key={tab} side={tab} />
        )}
      </Card>
    </div>
  );
}
