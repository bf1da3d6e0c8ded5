import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { RegisterRequest, SessionInfo } from "@tongban/contracts";
import { Alert, App, Button, Card, Form, Input, Tabs } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../api/client.ts";
import { acceptSession } from "../api/session.ts";
import { showServerError } from "../forms/errors.ts";
import { checkRule, checks, confirmRule } from "../forms/rules.ts";
import { usePageTitle } from "../usePageTitle.ts";

type Kind = RegisterRequest["kind"];

interface Values {
  name: string;
  identifier: string;
  phone: string;
  password: string;
  confirmPassword: string;
}

function RegisterForm({ kind }: { kind: Kind }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [alert, setAlert] = useState<string | null>(null);
  const resident = kind === "resident";
  const identifierField = resident ? "idNumber" : "creditCode";
  const nameMessages = resident ? "name" : "enterpriseName";

  const register = useMutation({
    mutationFn: (values: Values) => {
      const common = { name: values.name.trim(), phone: values.phone.trim(), password: values.password };
      const body: RegisterRequest = resident
        ? { kind, ...common, idNumber: values.identifier.trim() }
        : { kind: "enterprise", ...common, creditCode: values.identifier.trim() };
      return api<SessionInfo>("POST", "/auth/register", body);
    },
    onSuccess: (session) => {
      void message.success(t("register.success"));
      // The guard around this page sees the new session and goes on to the account's own page.
      acceptSession(queryClient, session);
    },
    onError: (error) =>
      setAlert(
        showServerError(t, form, error, {
          name: { messages: nameMessages },
          [identifierField]: { name: "identifier", messages: identifierField },
          phone: { messages: "phone" },
          password: { messages: "password" },
        }),
      ),
  });

  return (
    <>
      <p className="tb-muted">{resident ? t("register.residentLead") : t("register.enterpriseLead")}</p>
      {alert && <Alert type="error" showIcon title={alert} style={{ marginBottom: 16 }} data-testid="register-alert" />}
      <Form
        form={form}
        name={`register-${kind}`}
        layout="vertical"
        validateTrigger="onBlur"
        onFinish={(values) => {
          setAlert(null);
          register.mutate(values);
        }}
        onFinishFailed={() => setAlert(null)}
        scrollToFirstError={{ focus: true, block: "center" }}
      >
        <Form.Item
          name="name"
          label={resident ? t("field.name") : t("field.enterpriseName")}
          rules={[checkRule(t, nameMessages, resident ? checks.name : checks.enterpriseName)]}
        >
          <Input size="large" autoComplete={resident ? "name" : "organization"} maxLength={resident ? 50 : 100} />
        </Form.Item>
        <Form.Item
          name="identifier"
          label={resident ? t("field.idNumber") : t("field.creditCode")}
          extra={resident ? t("hint.idNumber") : t("hint.creditCode")}
          rules={[checkRule(t, identifierField, resident ? checks.idNumber : checks.creditCode)]}
          normalize={(value?: string) => value?.toUpperCase()}
        >
          <Input size="large" autoComplete="off" maxLength={18} spellCheck={false} />
        </Form.Item>
        <Form.Item
          name="phone"
          label={t("field.phone")}
          extra={t("hint.phone")}
          rules={[checkRule(t, "phone", checks.phone)]}
        >
          <Input size="large" type="tel" inputMode="numeric" autoComplete="tel-national" maxLength={11} />
        </Form.Item>
        <Form.Item
          name="password"
          label={t("field.password")}
          extra={t("hint.password")}
          rules={[checkRule(t, "password", checks.password)]}
        >
          <Input.Password size="large" autoComplete="new-password" maxLength={128} />
        </Form.Item>
        <Form.Item
          name="confirmPassword"
          label={t("field.confirmPassword")}
          dependencies={["password"]}
          rules={[confirmRule(t, "password")]}
        >
          <Input.Password size="large" autoComplete="new-password" maxLength={128} />
        </Form.Item>
        <Button className="tb-submit" type="primary" htmlType="submit" size="large" block loading={register.isPending}>
          {t("register.submit")}
        </Button>
      </Form>
    </>
  );
}

export default function RegisterPage() {
  const { t } = useTranslation();
  usePageTitle(t("register.title"));
  return (
    <div className="tb-auth">
      <Card>
        <h1 className="tb-page-title">{t("register.title")}</h1>
        <p className="tb-muted">{t("register.lead")}</p>
        <Tabs
          destroyOnHidden
          items={[
            { key: "resident", label: t("register.residentTab"), children: <RegisterForm kind="resident" /> },
            { key: "enterprise", label: t("register.enterpriseTab"), children: <RegisterForm kind="enterprise" /> },
          ]}
        />
        <p style={{ marginTop: 16, marginBottom: 0 }}>
          {t("register.haveAccount")} <Link to="/login">{t("register.goLogin")}</Link>
        </p>
      </Card>
    </div>
  );
}
