import { DeleteOutlined, EditOutlined, PlusOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import type { Department } from "@tongban/contracts";
import { Alert, App, Button, Card, Form, Grid, Input, Modal, Popconfirm, Skeleton, Space, Table } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "../api/session.ts";
import { errorMessage, showServerError } from "../forms/errors.ts";
import { checkRule, checks } from "../forms/rules.ts";
import { currentLanguage } from "../i18n/index.ts";
import { usePageTitle } from "../usePageTitle.ts";
import { AdminHeader } from "./AdminHeader.tsx";
import { departmentsQuery, useDepartmentMutations } from "./api.ts";

interface DepartmentValues {
  code: string;
  name: string;
  nameEn?: string;
}

const fieldMap = {
  code: { messages: "code" },
  name: { messages: "deptName" },
  nameEn: { messages: "nameEn" },
};

function DepartmentForm({
  mode,
  initial,
  open,
  pending,
  onCancel,
  onSubmit,
}: {
  mode: "create" | "rename";
  initial?: Department;
  open: boolean;
  pending: boolean;
  onCancel: () => void;
  onSubmit: (
    values: DepartmentValues,
    form: ReturnType<typeof Form.useForm<DepartmentValues>>[0],
  ) => Promise<string | null>;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<DepartmentValues>();
  const [alert, setAlert] = useState<string | null>(null);
  const title =
    mode === "create"
      ? t("admin.departments.create")
      : t("admin.departments.renameTitle", { name: initial?.name ?? "" });
  return (
    <Modal
      title={title}
      open={open}
      onCancel={onCancel}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      confirmLoading={pending}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      {alert && <Alert type="error" showIcon title={alert} style={{ marginBottom: 16 }} />}
      <Form
        form={form}
        name={`department-${mode}`}
        layout="vertical"
        style={{ marginTop: 16 }}
        validateTrigger="onBlur"
        initialValues={{ code: initial?.code ?? "", name: initial?.name ?? "", nameEn: initial?.nameEn ?? "" }}
        onFinish={async (values) => setAlert(await onSubmit(values, form))}
      >
        {mode === "create" ? (
          <Form.Item
            name="code"
            label={t("field.code")}
            extra={t("hint.code")}
            rules={[checkRule(t, "code", checks.code)]}
          >
            <Input autoComplete="off" spellCheck={false} maxLength={32} />
          </Form.Item>
        ) : (
          <p className="tb-muted">
            {t("field.code")}: <code>{initial?.code}</code> · {t("admin.departments.codeFixed")}
          </p>
        )}
        <Form.Item name="name" label={t("field.deptName")} rules={[checkRule(t, "deptName", checks.deptName)]}>
          <Input autoComplete="off" maxLength={60} />
        </Form.Item>
        <Form.Item
          name="nameEn"
          label={`${t("field.nameEn")} (${t("common.optional")})`}
          extra={t("hint.nameEn")}
          rules={[checkRule(t, "nameEn", checks.nameEn, { required: false })]}
        >
          <Input autoComplete="off" maxLength={120} lang="en" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function DepartmentsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { user } = useSession();
  const regionCode = user?.regionCode ?? "";
  const query = useQuery({ ...departmentsQuery(regionCode), enabled: Boolean(regionCode) });
  const mutations = useDepartmentMutations(regionCode);
  const [editing, setEditing] = useState<{ mode: "create" | "rename"; department?: Department } | null>(null);
  const [alert, setAlert] = useState<{ title?: string; text: string } | null>(null);
  usePageTitle(t("admin.departments.title"));
  const english = currentLanguage() === "en";
  // A phone gets one entry per department instead of a table that scrolls sideways.
  const compact = Grid.useBreakpoint().md === false;

  const submit = async (values: DepartmentValues, form: Parameters<typeof showServerError>[1]) => {
    const nameEn = values.nameEn?.trim() ?? "";
    try {
      if (editing?.mode === "rename" && editing.department) {
        await mutations.update.mutateAsync({ id: editing.department.id, body: { name: values.name.trim(), nameEn } });
        void message.success(t("admin.departments.renamed"));
      } else {
        const created = await mutations.create.mutateAsync({
          regionCode,
          code: values.code.trim(),
          name: values.name.trim(),
          ...(nameEn ? { nameEn } : {}),
        });
        void message.success(t("admin.departments.created", { name: created.name }));
      }
      setEditing(null);
      return null;
    } catch (error) {
      return showServerError(t, form, error, fieldMap);
    }
  };

  const remove = async (department: Department) => {
    try {
      await mutations.remove.mutateAsync(department.id);
      setAlert(null);
      void message.success(t("admin.departments.deleted", { name: department.name }));
    } catch (error) {
      setAlert({ title: department.name, text: errorMessage(t, error) });
    }
  };

  const actionsFor = (department: Department) => (
    <Space wrap>
      <Button
        size="small"
        icon={<EditOutlined />}
        onClick={() => setEditing({ mode: "rename", department })}
        aria-label={`${t("admin.departments.rename")}: ${department.name}`}
      >
        {t("admin.departments.rename")}
      </Button>
      <Popconfirm
        title={t("admin.departments.deleteConfirm", { name: department.name })}
        description={
          department.staffCount > 0
            ? t("admin.departments.deleteHasStaff", { count: department.staffCount })
            : undefined
        }
        okText={t("common.delete")}
        cancelText={t("common.cancel")}
        okButtonProps={{ danger: true }}
        onConfirm={() => remove(department)}
      >
        <Button size="small" danger icon={<DeleteOutlined />} aria-label={`${t("common.delete")}: ${department.name}`}>
          {t("common.delete")}
        </Button>
      </Popconfirm>
    </Space>
  );
  const displayName = (department: Department) => (english && department.nameEn ? department.nameEn : department.name);

  return (
    <>
      <AdminHeader
        title={t("admin.departments.title")}
        lead={t("admin.departments.lead", { region: user?.regionName ?? "" })}
        alert={alert}
        onCloseAlert={() => setAlert(null)}
        action={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ mode: "create" })}>
            {t("admin.departments.create")}
          </Button>
        }
      />
      {query.isError && (
        <Alert
          type="error"
          showIcon
          title={t("error.loadFailed")}
          description={errorMessage(t, query.error)}
          style={{ marginBottom: 16 }}
        />
      )}
      <Card>
        {compact ? (
          query.isPending ? (
            <Skeleton active />
          ) : (
            <ul className="tb-card-list">
              {(query.data ?? []).map((department) => (
                <li key={department.id} className="tb-staff-card">
                  <div className="tb-staff-card-head">
                    <strong>{displayName(department)}</strong> <code>{department.code}</code>
                  </div>
                  <div className="tb-muted">
                    {english ? (
                      <span lang="zh-Hans">{department.name}</span>
                    ) : (
                      <span lang="en">{department.nameEn ?? ""}</span>
                    )}{" "}
                    · {t("admin.departments.staffCount")}{" "}
                    {t("admin.departments.staffCountValue", { count: department.staffCount })}
                  </div>
                  {actionsFor(department)}
                </li>
              ))}
            </ul>
          )
        ) : (
          <Table<Department>
            rowKey="id"
            loading={query.isPending && Boolean(regionCode)}
            dataSource={query.data ?? []}
            pagination={false}
            scroll={{ x: 720 }}
            locale={{ emptyText: t("admin.departments.empty") }}
            columns={[
              { key: "code", title: t("field.code"), dataIndex: "code", render: (code: string) => <code>{code}</code> },
              {
                key: "name",
                title: t("field.deptName"),
                render: (_, department) => displayName(department),
              },
              {
                key: "nameEn",
                title: english ? t("field.deptName") : t("field.nameEn"),
                render: (_, department) =>
                  english ? (
                    <span lang="zh-Hans">{department.name}</span>
                  ) : (
                    <span lang="en">{department.nameEn ?? "—"}</span>
                  ),
              },
              {
                key: "staffCount",
                title: t("admin.departments.staffCount"),
                dataIndex: "staffCount",
                render: (count: number) => t("admin.departments.staffCountValue", { count }),
              },
              {
                key: "actions",
                title: t("common.actions"),
                render: (_, department) => actionsFor(department),
              },
            ]}
          />
        )}
      </Card>
      {/* Mounted per use, so each opening starts from the department's current values. */}
      {editing && (
        <DepartmentForm
          mode={editing.mode}
          initial={editing.department}
          open
          pending={mutations.create.isPending || mutations.update.isPending}
          onCancel={() => setEditing(null)}
          onSubmit={submit}
        />
      )}
    </>
  );
}
