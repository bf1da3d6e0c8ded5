import { ArrowLeftOutlined, EditOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import type { ServiceVersionInfo } from "@tongban/contracts";
import { Alert, App, Button, Card, Empty, Flex, Grid, Skeleton, Table, Tag } from "antd";
import type { TFunction } from "i18next";
import { type HTMLAttributes, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams, useSearchParams } from "react-router";
import { isApiError } from "../api/client.ts";
import { formatDateTime } from "../format.ts";
import { errorMessage } from "../forms/errors.ts";
import { currentLanguage } from "../i18n/index.ts";
import { ServiceElements } from "../services/ServiceElements.tsx";
import { usePageTitle } from "../usePageTitle.ts";
import { serviceVersionQuery, serviceVersionsQuery, useCatalogMutations } from "./api.ts";
import { type Change, diffItems } from "./serviceDiff.ts";

const statusTone = { published: "green", draft: "orange", superseded: "default" } as const;

export function VersionStatusTag({ status }: { status: ServiceVersionInfo["status"] }) {
  const { t } = useTranslation();
  return <Tag className={`tb-tone tb-tone-${statusTone[status]}`}>{t(`admin.services.versionStatus.${status}`)}</Tag>;
}

type LooseT = (key: string | string[], options?: Record<string, unknown>) => string;

/** A change as one line: where, and what it was and is. */
function describeChange(t: TFunction, change: Change): string {
  const loose = t as unknown as LooseT;
  const element = loose([`admin.services.element.${change.element}`, "admin.services.element.other"], {
    key: change.element,
  });
  const where = change.path ? `${element} · ${change.path}` : element;
  if (change.kind === "added") return t("admin.services.changeAdded", { where, value: change.after });
  if (change.kind === "removed") return t("admin.services.changeRemoved", { where, value: change.before });
  return t("admin.services.changeChanged", { where, before: change.before, after: change.after });
}

/** A draft against the published version: every element that differs, before publishing it. */
function Comparison({ code, draft, published }: { code: string; draft: number; published: number }) {
  const { t } = useTranslation();
  const before = useQuery(serviceVersionQuery(code, published));
  const after = useQuery(serviceVersionQuery(code, draft));
  if (before.isPending || after.isPending) return <Skeleton active />;
  if (before.isError || after.isError)
    return <Alert type="error" showIcon title={errorMessage(t, before.error ?? after.error)} />;
  const changes = diffItems(
    before.data.item as unknown as Record<string, unknown>,
    after.data.item as unknown as Record<string, unknown>,
  );
  if (before.data.departmentId !== after.data.departmentId)
    changes.unshift({
      element: "departmentCode",
      path: "",
      kind: "changed",
      before: before.data.departmentName,
      after: after.data.departmentName,
    });
  return (
    <section aria-labelledby="compare-title" data-testid="version-comparison">
      <h3 id="compare-title" className="tb-card-heading">
        {t("admin.services.compareTitle", { draft, published })}
      </h3>
      {changes.length === 0 ? (
        <p className="tb-muted">{t("admin.services.noChanges")}</p>
      ) : (
        <ul className="tb-guide-list tb-change-list">
          {changes.map((change) => (
            <li key={`${change.element}-${change.path}-${change.kind}-${change.before}-${change.after}`}>
              {describeChange(t, change)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export default function ServicePage() {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const { code = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const versions = useQuery(serviceVersionsQuery(code));
  const published = versions.data?.find((v) => v.status === "published");
  const chosen = Number(params.get("version")) || published?.version || versions.data?.[0]?.version || 0;
  const detail = useQuery({ ...serviceVersionQuery(code, chosen), enabled: chosen > 0 });
  const mutations = useCatalogMutations(code);
  const [alert, setAlert] = useState<string | null>(null);
  const [showJson, setShowJson] = useState(false);
  const compact = Grid.useBreakpoint().md === false;
  const language = currentLanguage();
  const name = detail.data?.item.name ?? code;
  usePageTitle(detail.data ? `${detail.data.item.name} · ${t("admin.services.title")}` : t("admin.services.title"));

  const back = (
    <Link to="/admin/services" className="tb-back-link">
      <ArrowLeftOutlined aria-hidden /> {t("admin.services.back")}
    </Link>
  );
  if (versions.isPending) return <Skeleton active paragraph={{ rows: 8 }} />;
  if (versions.isError) {
    const missing = isApiError(versions.error) && versions.error.code === "SERVICE_NOT_FOUND";
    return (
      <>
        {back}
        <Alert
          type={missing ? "warning" : "error"}
          showIcon
          title={missing ? t("guide.notFound") : t("error.loadFailed")}
          description={missing ? undefined : errorMessage(t, versions.error)}
        />
      </>
    );
  }

  const choose = (version: number) => {
    const next = new URLSearchParams(params);
    next.set("version", String(version));
    setParams(next, { replace: true });
    setShowJson(false);
  };

  const publish = (version: number) =>
    modal.confirm({
      title: t("admin.services.publishConfirmTitle", { version }),
      content: t("admin.services.publishConfirmBody", { version, current: published?.version ?? "—" }),
      okText: t("admin.services.publish"),
      cancelText: t("common.cancel"),
      onOk: async () => {
        try {
          await mutations.publish.mutateAsync(version);
          setAlert(null);
          void message.success(t("admin.services.published", { version }));
          choose(version);
        } catch (error) {
          if (isApiError(error) && error.code === "ACTION_NOT_ALLOWED") void versions.refetch();
          setAlert(errorMessage(t, error));
        }
      },
    });

  const who = (version: ServiceVersionInfo) =>
    version.source === "file"
      ? t("admin.services.fromFile")
      : (version.createdByName ?? t("admin.services.fromConsole"));
  // A draft is published from its own view, below the list of what it changes.
  const actionsFor = (version: ServiceVersionInfo) => {
    const draft = version.status === "draft";
    return (
      <Button
        size="small"
        type={draft ? "primary" : "default"}
        onClick={() => choose(version.version)}
        aria-pressed={version.version === chosen}
        aria-label={t(draft ? "admin.services.reviewVersion" : "admin.services.viewVersion", {
          version: version.version,
        })}
      >
        {draft ? t("admin.services.review") : t("admin.services.view")}
      </Button>
    );
  };
  const list = versions.data;
  const current = list.find((v) => v.version === chosen);

  return (
    <>
      {back}
      <Flex justify="space-between" align="flex-start" gap={12} wrap>
        <div style={{ flex: "1 1 300px" }}>
          <h1 className="tb-page-title">{name}</h1>
          <p className="tb-muted">
            <code>{code}</code>
            {detail.data ? ` · ${detail.data.departmentName}` : ""}
            {published ? ` · ${t("admin.services.inUse", { version: published.version })}` : ""}
          </p>
        </div>
        <Link className="tb-hbtn tb-apply-link" to={`/admin/services/${encodeURIComponent(code)}/edit?from=${chosen}`}>
          <EditOutlined aria-hidden /> {t("admin.services.edit", { version: chosen })}
        </Link>
      </Flex>
      <Alert type="info" showIcon title={t("admin.services.versioningNote")} className="tb-guide-notice" />
      {alert && (
        <Alert
          type="error"
          showIcon
          title={alert}
          closable={{ onClose: () => setAlert(null) }}
          className="tb-form-summary"
          data-testid="admin-alert"
        />
      )}
      <Card className="tb-guide-section">
        <section aria-labelledby="versions-title">
          <h2 id="versions-title" className="tb-card-title">
            {t("admin.services.versions")}
          </h2>
          {compact ? (
            <ul className="tb-card-list">
              {list.map((version) => (
                <li key={version.id} className="tb-staff-card" data-version={version.version}>
                  <div className="tb-staff-card-head">
                    <strong>{t("admin.services.versionN", { version: version.version })}</strong>
                    <VersionStatusTag status={version.status} />
                  </div>
                  <div className="tb-muted">
                    {t("admin.services.createdBy", {
                      who: who(version),
                      time: formatDateTime(version.createdAt, language),
                    })}
                  </div>
                  {version.publishedAt && (
                    <div className="tb-muted">
                      {t("admin.services.publishedAt", { time: formatDateTime(version.publishedAt, language) })}
                    </div>
                  )}
                  <div>{actionsFor(version)}</div>
                </li>
              ))}
            </ul>
          ) : (
            <Table<ServiceVersionInfo>
              rowKey="id"
              dataSource={list}
              pagination={false}
              onRow={(version) => ({ "data-version": version.version }) as HTMLAttributes<HTMLElement>}
              columns={[
                {
                  key: "version",
                  title: t("guide.version"),
                  render: (_, version) => t("admin.services.versionN", { version: version.version }),
                },
                {
                  key: "status",
                  title: t("admin.services.statusLabel"),
                  render: (_, version) => <VersionStatusTag status={version.status} />,
                },
                { key: "who", title: t("admin.services.createdByLabel"), render: (_, version) => who(version) },
                {
                  key: "created",
                  title: t("admin.services.createdAtLabel"),
                  render: (_, version) => formatDateTime(version.createdAt, language),
                },
                {
                  key: "published",
                  title: t("admin.services.publishedAtLabel"),
                  render: (_, version) => (version.publishedAt ? formatDateTime(version.publishedAt, language) : "—"),
                },
                { key: "actions", title: t("common.actions"), render: (_, version) => actionsFor(version) },
              ]}
            />
          )}
        </section>
      </Card>

      <section aria-labelledby="version-title" className="tb-section">
        <Flex gap={8} wrap align="center" justify="space-between">
          <h2 id="version-title" className="tb-section-title">
            {t("admin.services.versionContent", { version: chosen })}{" "}
            {current && <VersionStatusTag status={current.status} />}
          </h2>
          {current?.status === "draft" && (
            <Button type="primary" onClick={() => publish(current.version)}>
              {t("admin.services.publishVersion", { version: current.version })}
            </Button>
          )}
        </Flex>
        {current?.status === "draft" && published && (
          <Card className="tb-guide-section" style={{ marginTop: 12 }}>
            <Comparison code={code} draft={current.version} published={published.version} />
          </Card>
        )}
        {current?.status === "superseded" && (
          <p className="tb-muted">{t("admin.services.supersededNote", { version: chosen })}</p>
        )}
        <div style={{ marginTop: 12 }}>
          {detail.isPending ? (
            <Skeleton active paragraph={{ rows: 8 }} />
          ) : detail.isError ? (
            <Alert type="error" showIcon title={errorMessage(t, detail.error)} />
          ) : !detail.data ? (
            <Empty />
          ) : (
            <Flex vertical gap={16}>
              <ServiceElements detail={detail.data} prefix="version" withForm />
              <Card>
                <Button onClick={() => setShowJson((open) => !open)} aria-expanded={showJson}>
                  {showJson ? t("admin.services.hideJson") : t("admin.services.showJson")}
                </Button>
                {showJson && <pre className="tb-json">{JSON.stringify(detail.data.item, null, 2)}</pre>}
              </Card>
            </Flex>
          )}
        </div>
      </section>
    </>
  );
}
