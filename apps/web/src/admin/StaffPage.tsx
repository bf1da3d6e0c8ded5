import { DownOutlined, EditOutlined, PlusOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { StaffAccount, UpdateStaff } from "@tongban/contracts";
import { Alert, App, Button, Card, Dropdown, Empty, Form, Grid, Input, Modal, Skeleton, Space, Table, Tag } from "antd";
import type { ReactNode } from "react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { isApiError } from "../api/client.ts";
import { sessionKey, useSession } from "../api/session.ts";
import { formatDateTime } from "../format.ts";
import { DepartmentSelect, departmentLabel } from "../forms/DepartmentSelect.tsx";
import { errorMessage, showServerError } from "../forms/errors.ts";
import { checkRule, checks, confirmRule } from "../forms/rules.ts";
import { currentLanguage } from "../i18n/index.ts";
import { usePageTitle } from "../usePageTitle.ts";
import { ClearanceTag, RoleTags } from "../workbench/StaffTags.tsx";
import { AdminHeader } from "./AdminHeader.tsx";
import { departmentsQuery, type StaffFilter, staffQuery, useStaffMutations } from "./api.ts";
import { StaffForm } from "./StaffForm.tsx";

const statusStyle = {
  active: { color: "#2b5a1e", background: "#eef7e8", borderColor: "#b7d8a6" },
  disabled: { color: "#8f1118", background: "#fcebec", borderColor: "#e8a9ad" },
  locked: { color: "#7a4300", background: "#fdf2e1", borderColor: "#e6c28f" },
  noTotp: { color: "#1f1f1f", background: "#f2f4f7", borderColor: "#cdd3dc" },
};

function StatusTags({ account }: { account: StaffAccount }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  return (
    <span className="tb-tags">
      {account.disabled ? (
        <Tag style={statusStyle.disabled}>{t("admin.staff.disabled")}</Tag>
      ) : (
        <Tag style={statusStyle.active}>{t("admin.staff.active")}</Tag>
      )}
      {account.lockedUntil && (
        <Tag style={statusStyle.locked}>
          {t("admin.staff.locked", { time: formatDateTime(account.lockedUntil, language) })}
        </Tag>
      )}
      {!account.totpEnrolled && <Tag style={statusStyle.noTotp}>{t("admin.staff.noTotp")}</Tag>}
    </span>
  );
}

function StaffCards({
  accounts,
  loading,
  departmentName,
  actionsFor,
}: {
  accounts: StaffAccount[];
  loading: boolean;
  departmentName: (id: string, fallback: string) => string;
  actionsFor: (account: StaffAccount) => ReactNode;
}) {
  const { t } = useTranslation();
  if (loading) return <Skeleton active />;
  if (accounts.length === 0) return <Empty description={t("admin.staff.empty")} />;
  return (
    <ul className="tb-card-list">
      {accounts.map((account) => (
        <li key={account.id} className="tb-staff-card">
          <div className="tb-staff-card-head">
            <strong>{account.name}</strong> <code>{account.username}</code>
          </div>
          <div className="tb-muted">{departmentName(account.departmentId, account.departmentName)}</div>
          <div className="tb-staff-card-tags">
            <RoleTags roles={account.roles} />
            <ClearanceTag value={account.clearance} />
            <StatusTags account={account} />
          </div>
          {actionsFor(account)}
        </li>
      ))}
    </ul>
  );
}

function ResetPasswordModal({
  account,
  pending,
  onClose,
  onSubmit,
}: {
  account: StaffAccount;
  pending: boolean;
  onClose: () => void;
  onSubmit: (password: string) => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ password: string; confirmPassword: string }>();
  const [alert, setAlert] = useState<string | null>(null);
  return (
    <Modal
      open
      title={t("admin.staff.resetPasswordTitle", { name: account.name })}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      confirmLoading={pending}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <p className="tb-muted">{t("admin.staff.resetPasswordLead")}</p>
      {alert && <Alert type="error" showIcon title={alert} style={{ marginBottom: 16 }} />}
      <Form
        form={form}
        name="reset-password"
        layout="vertical"
        validateTrigger="onBlur"
        onFinish={async (values) => {
          try {
            await onSubmit(values.password);
          } catch (error) {
            setAlert(showServerError(t, form, error, { password: { messages: "password" } }));
          }
        }}
      >
        <Form.Item
          name="password"
          label={t("field.newPassword")}
          extra={t("hint.password")}
          rules={[checkRule(t, "password", checks.password)]}
        >
          <Input.Password autoComplete="new-password" maxLength={128} />
        </Form.Item>
        <Form.Item
          name="confirmPassword"
          label={t("field.confirmPassword")}
          dependencies={["password"]}
          rules={[confirmRule(t, "password")]}
        >
          <Input.Password autoComplete="new-password" maxLength={128} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function StaffPage() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const { user } = useSession();
  const regionCode = user?.regionCode ?? "";
  const [filter, setFilter] = useState<StaffFilter>({});
  const [search, setSearch] = useState("");
  const [form, setForm] = useState<{ account?: StaffAccount } | null>(null);
  const [passwordFor, setPasswordFor] = useState<StaffAccount | null>(null);
  const [alert, setAlert] = useState<{ title?: string; text: string } | null>(null);
  const departments = useQuery({ ...departmentsQuery(regionCode), enabled: Boolean(regionCode) });
  const staff = useQuery(staffQuery(filter));
  const mutations = useStaffMutations(regionCode);
  // A phone gets one card per person instead of a table that scrolls sideways.
  const compact = Grid.useBreakpoint().md === false;
  usePageTitle(t("admin.staff.title"));

  const departmentName = (id: string, fallback: string) => {
    const department = departments.data?.find((d) => d.id === id);
    return department ? departmentLabel(department) : fallback;
  };

  const update = async (account: StaffAccount, body: UpdateStaff) => {
    const saved = await mutations.update.mutateAsync({ id: account.id, body });
    // An admin editing their own account changes what the session says about them.
    if (account.id === user?.id) void queryClient.invalidateQueries({ queryKey: sessionKey });
    return saved;
  };

  const actionFailed = (error: unknown) => {
    const lastAdmin = isApiError(error) && error.code === "LAST_ADMINISTRATOR";
    setAlert({ title: lastAdmin ? t("admin.staff.lastAdminTitle") : undefined, text: errorMessage(t, error) });
  };

  const act = (account: StaffAccount, body: UpdateStaff, done: string, confirm?: string) => {
    const run = async () => {
      try {
        await update(account, body);
        setAlert(null);
        void message.success(done);
      } catch (error) {
        actionFailed(error);
      }
    };
    if (!confirm) return void run();
    modal.confirm({
      title: confirm,
      okText: t("common.confirm"),
      cancelText: t("common.cancel"),
      onOk: run,
    });
  };

  const menuFor = (account: StaffAccount) => {
    const name = account.name;
    const items = [
      account.disabled
        ? { key: "enable", label: t("admin.staff.enable") }
        : { key: "disable", label: t("admin.staff.disable"), danger: true },
      ...(account.lockedUntil ? [{ key: "unlock", label: t("admin.staff.unlock") }] : []),
      ...(account.totpEnrolled ? [{ key: "resetTotp", label: t("admin.staff.resetTotp") }] : []),
      { key: "resetPassword", label: t("admin.staff.resetPassword") },
    ];
    const onClick = ({ key }: { key: string }) => {
      switch (key) {
        case "disable":
          return act(
            account,
            { disabled: true },
            t("admin.staff.disabledDone", { name }),
            t("admin.staff.disableConfirm", { name }),
          );
        case "enable":
          return act(
            account,
            { disabled: false },
            t("admin.staff.enabledDone", { name }),
            t("admin.staff.enableConfirm", { name }),
          );
        case "unlock":
          return act(account, { unlock: true }, t("admin.staff.unlockedDone", { name }));
        case "resetTotp":
          return act(
            account,
            { resetTotp: true },
            t("admin.staff.totpResetDone", { name }),
            t("admin.staff.resetTotpConfirm", { name }),
          );
        case "resetPassword":
          return setPasswordFor(account);
      }
    };
    return { items, onClick };
  };

  const actionsFor = (account: StaffAccount) => (
    <Space>
      <Button
        size="small"
        icon={<EditOutlined />}
        onClick={() => setForm({ account })}
        aria-label={`${t("common.edit")}: ${account.name}`}
      >
        {t("common.edit")}
      </Button>
      <Dropdown autoFocus trigger={["click"]} menu={menuFor(account)}>
        <Button size="small" aria-label={`${t("common.more")}: ${account.name}`}>
          {t("common.more")} <DownOutlined aria-hidden />
        </Button>
      </Dropdown>
    </Space>
  );

  return (
    <>
      <AdminHeader
        title={t("admin.staff.title")}
        lead={t("admin.staff.lead", { region: user?.regionName ?? "" })}
        alert={alert}
        onCloseAlert={() => setAlert(null)}
        action={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setForm({})}>
            {t("admin.staff.create")}
          </Button>
        }
      />
      <Card>
        <search className="tb-toolbar" aria-label={t("admin.staff.filters")}>
          <div className="tb-filter">
            <label htmlFor="staff-filter-department">{t("admin.staff.filterDepartment")}</label>
            <DepartmentSelect
              id="staff-filter-department"
              style={{ width: 260, maxWidth: "100%" }}
              departments={departments.data ?? []}
              allLabel={t("admin.staff.allDepartments")}
              value={filter.departmentId ?? ""}
              onChange={(event) => setFilter((f) => ({ ...f, departmentId: event.target.value || undefined }))}
            />
          </div>
          <div className="tb-filter">
            <label htmlFor="staff-search">{t("admin.staff.searchLabel")}</label>
            <Input.Search
              id="staff-search"
              style={{ width: 280, maxWidth: "100%" }}
              placeholder={t("admin.staff.searchPlaceholder")}
              value={search}
              allowClear
              maxLength={50}
              onChange={(event) => {
                setSearch(event.target.value);
                // Clearing the box shows everyone again without another press.
                if (event.target.value === "") setFilter((f) => ({ ...f, q: undefined }));
              }}
              onSearch={(value) => setFilter((f) => ({ ...f, q: value.trim() || undefined }))}
              enterButton={t("common.search")}
            />
          </div>
          {staff.data && (
            <output className="tb-muted tb-count" aria-live="polite">
              {t("admin.staff.count", { count: staff.data.length })}
            </output>
          )}
        </search>
        {staff.isError && (
          <Alert
            type="error"
            showIcon
            title={t("error.loadFailed")}
            description={errorMessage(t, staff.error)}
            style={{ marginBottom: 16 }}
          />
        )}
        {compact ? (
          <StaffCards
            accounts={staff.data ?? []}
            loading={staff.isPending}
            departmentName={departmentName}
            actionsFor={actionsFor}
          />
        ) : (
          <Table<StaffAccount>
            rowKey="id"
            loading={staff.isPending}
            dataSource={staff.data ?? []}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            scroll={{ x: 960 }}
            locale={{ emptyText: t("admin.staff.empty") }}
            columns={[
              {
                key: "username",
                title: t("field.staffUsername"),
                dataIndex: "username",
                render: (username: string) => <code className="tb-nowrap">{username}</code>,
              },
              { key: "name", title: t("field.name"), dataIndex: "name" },
              {
                key: "department",
                title: t("field.departmentId"),
                render: (_, account) => departmentName(account.departmentId, account.departmentName),
              },
              { key: "roles", title: t("field.roles"), render: (_, account) => <RoleTags roles={account.roles} /> },
              {
                key: "clearance",
                title: t("field.clearance"),
                render: (_, account) => <ClearanceTag value={account.clearance} />,
              },
              {
                key: "status",
                title: t("admin.staff.status"),
                render: (_, account) => <StatusTags account={account} />,
              },
              {
                key: "actions",
                title: t("common.actions"),
                fixed: "right",
                width: 210,
                render: (_, account) => actionsFor(account),
              },
            ]}
          />
        )}
      </Card>
      {form && (
        <StaffForm
          account={form.account}
          departments={departments.data ?? []}
          pending={mutations.create.isPending || mutations.update.isPending}
          onClose={() => setForm(null)}
          onCreate={async (body) => {
            const created = await mutations.create.mutateAsync(body);
            setForm(null);
            void message.success(t("admin.staff.created", { name: created.name }));
          }}
          onUpdate={async (id, body) => {
            const account = staff.data?.find((a) => a.id === id) ?? form.account;
            if (!account) return;
            await update(account, body);
            setForm(null);
            void message.success(t("admin.staff.saved"));
          }}
        />
      )}
      {passwordFor && (
        <ResetPasswordModal
          account={passwordFor}
          pending={mutations.update.isPending}
          onClose={() => setPasswordFor(null)}
          onSubmit={async (password) => {
            await update(passwordFor, { password });
            void message.success(t("admin.staff.passwordResetDone", { name: passwordFor.name }));
            setPasswordFor(null);
          }}
        />
      )}
    </>
  );
}
