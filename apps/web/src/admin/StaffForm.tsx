import {
  Classification,
  type CreateStaff,
  type Department,
  type StaffAccount,
  StaffRole,
  type UpdateStaff,
} from "@tongban/contracts";
import { Alert, Button, Drawer, Flex, Form, type FormInstance, Grid, Input, Radio } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { CheckboxFieldset } from "../forms/CheckboxFieldset.tsx";
import { DepartmentSelect } from "../forms/DepartmentSelect.tsx";
import { showServerError } from "../forms/errors.ts";
import { checkRule, checks, confirmRule } from "../forms/rules.ts";

interface StaffValues {
  username: string;
  name: string;
  phone?: string;
  departmentId: string;
  roles: StaffRole[];
  clearance: Classification;
  password: string;
  confirmPassword: string;
}

const fieldMap = {
  username: { messages: "staffUsername" },
  name: { messages: "name" },
  phone: { messages: "phone" },
  departmentId: { messages: "departmentId" },
  roles: { messages: "roles" },
  clearance: { messages: "clearance" },
  password: { messages: "password" },
};

/** Only what changed goes to the server, so the ledger records exactly which fields an admin touched. */
function changes(account: StaffAccount, values: StaffValues): UpdateStaff {
  const body: UpdateStaff = {};
  const name = values.name.trim();
  if (name !== account.name) body.name = name;
  const phone = values.phone?.trim() ?? "";
  if (phone !== (account.phone ?? "")) body.phone = phone === "" ? null : phone;
  if (values.departmentId !== account.departmentId) body.departmentId = values.departmentId;
  const sameRoles =
    values.roles.length === account.roles.length && values.roles.every((role) => account.roles.includes(role));
  if (!sameRoles) body.roles = values.roles;
  if (values.clearance !== account.clearance) body.clearance = values.clearance;
  return body;
}

/** The roles, each with what it lets a person do. */
function RolesField({
  label,
  ...props
}: {
  label: string;
  value?: StaffRole[];
  onChange?: (roles: StaffRole[]) => void;
  id?: string;
}) {
  const { t } = useTranslation();
  return (
    <CheckboxFieldset
      {...props}
      legend={label}
      vertical
      options={StaffRole.options.map((role) => ({
        value: role,
        label: (
          <>
            <strong>{t(`role.${role}`)}</strong>
            <span className="tb-muted"> — {t(`roleHelp.${role}`)}</span>
          </>
        ),
      }))}
    />
  );
}

export function StaffForm({
  account,
  departments,
  pending,
  onClose,
  onCreate,
  onUpdate,
}: {
  /** The account to edit; absent when creating one. */
  account?: StaffAccount;
  departments: Department[];
  pending: boolean;
  onClose: () => void;
  onCreate: (body: CreateStaff) => Promise<void>;
  onUpdate: (id: string, body: UpdateStaff) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<StaffValues>();
  const [alert, setAlert] = useState<string | null>(null);
  const screens = Grid.useBreakpoint();
  const editing = account !== undefined;
  const formName = editing ? "staff-edit" : "staff-create";

  const submit = async (values: StaffValues, instance: FormInstance<StaffValues>) => {
    setAlert(null);
    try {
      if (account) {
        const body = changes(account, values);
        if (Object.keys(body).length === 0) return onClose();
        await onUpdate(account.id, body);
      } else {
        const phone = values.phone?.trim();
        await onCreate({
          username: values.username.trim(),
          name: values.name.trim(),
          ...(phone ? { phone } : {}),
          departmentId: values.departmentId,
          roles: values.roles,
          clearance: values.clearance,
          password: values.password,
        });
      }
    } catch (error) {
      setAlert(showServerError(t, instance, error, fieldMap));
    }
  };

  return (
    <Drawer
      open
      title={editing ? t("admin.staff.editTitle", { name: account.name }) : t("admin.staff.createTitle")}
      size={screens.md ? 520 : "100%"}
      onClose={onClose}
      destroyOnHidden
      footer={
        <Flex justify="flex-end" gap={8}>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="primary" loading={pending} onClick={() => form.submit()}>
            {t("common.save")}
          </Button>
        </Flex>
      }
    >
      {alert && (
        <Alert type="error" showIcon title={alert} style={{ marginBottom: 16 }} data-testid="staff-form-alert" />
      )}
      <Form
        form={form}
        name={formName}
        layout="vertical"
        validateTrigger="onBlur"
        scrollToFirstError={{ focus: true, block: "center" }}
        initialValues={
          account
            ? {
                username: account.username,
                name: account.name,
                phone: account.phone ?? "",
                departmentId: account.departmentId,
                roles: account.roles,
                clearance: account.clearance,
              }
            : { roles: [], clearance: "internal" }
        }
        onFinish={(values) => void submit(values, form)}
      >
        {editing ? (
          <p>
            {t("field.staffUsername")}: <code>{account.username}</code>
          </p>
        ) : (
          <Form.Item
            name="username"
            label={t("field.staffUsername")}
            extra={t("hint.staffUsername")}
            rules={[checkRule(t, "staffUsername", checks.staffUsername)]}
          >
            <Input autoComplete="off" spellCheck={false} maxLength={32} />
          </Form.Item>
        )}
        <Form.Item name="name" label={t("field.name")} rules={[checkRule(t, "name", checks.name)]}>
          <Input autoComplete="off" maxLength={50} />
        </Form.Item>
        <Form.Item
          name="phone"
          label={`${t("field.phone")} (${t("common.optional")})`}
          rules={[checkRule(t, "phone", checks.optionalPhone, { required: false })]}
        >
          <Input type="tel" inputMode="numeric" autoComplete="off" maxLength={11} />
        </Form.Item>
        <Form.Item
          name="departmentId"
          label={t("field.departmentId")}
          rules={[checkRule(t, "departmentId", checks.selected)]}
          validateTrigger="onChange"
        >
          <DepartmentSelect departments={departments} placeholder={t("admin.staff.chooseDepartment")} />
        </Form.Item>
        <Form.Item
          name="roles"
          label={t("field.roles")}
          rules={[checkRule(t, "roles", checks.selected)]}
          validateTrigger="onChange"
        >
          <RolesField label={`${t("field.roles")} (${t("a11y.required")})`} />
        </Form.Item>
        <Form.Item
          name="clearance"
          label={t("field.clearance")}
          extra={t("hint.clearance")}
          rules={[checkRule(t, "clearance", checks.selected)]}
          validateTrigger="onChange"
        >
          <Radio.Group
            optionType="button"
            options={Classification.options.map((value) => ({ value, label: t(`clearance.${value}`) }))}
          />
        </Form.Item>
        {!editing && (
          <>
            <Form.Item
              name="password"
              label={t("field.initialPassword")}
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
          </>
        )}
      </Form>
    </Drawer>
  );
}
