import { LockOutlined, SafetyOutlined, UserOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { SessionInfo, TotpEnrolment } from "@tongban/contracts";
import { Alert, App, Button, Card, Form, type FormInstance, Input, type InputProps, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { api, isApiError } from "../api/client.ts";
import { acceptSession } from "../api/session.ts";
import { formatDateTime } from "../format.ts";
import { errorMessage, fieldMessage, showServerError } from "../forms/errors.ts";
import { currentLanguage } from "../i18n/index.ts";
import { usePageTitle } from "../usePageTitle.ts";

interface Credentials {
  username: string;
  password: string;
  totp?: string;
}

const loginFields = {
  username: { messages: "loginUsername" },
  password: { messages: "loginPassword" },
  totp: { messages: "totp" },
};

// The login schema's own rules are this small (non-empty, six digits for the code); checking them
// here keeps the login page free of the contracts bundle, which only the registration needs.
function totpRule(t: ReturnType<typeof useTranslation>["t"]) {
  return {
    required: true,
    validator: async (_rule: unknown, value: unknown) => {
      const code = typeof value === "string" ? value.trim() : "";
      if (!code) throw new Error(fieldMessage(t, "totp", "REQUIRED"));
      if (!/^\d{6}$/.test(code)) throw new Error(fieldMessage(t, "totp", "INVALID_FORMAT"));
    },
  };
}

/** Form.Item passes id, value and onChange to its child; they must reach the <input>. */
function TotpInput(props: InputProps) {
  return (
    <Input
      {...props}
      size="large"
      prefix={<SafetyOutlined aria-hidden />}
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={6}
    />
  );
}

function EnrolmentStep({
  enrolment,
  username,
  onExpired,
}: {
  enrolment: TotpEnrolment;
  username: string;
  onExpired: (message: string) => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ totp: string }>();
  const [alert, setAlert] = useState<string | null>(null);
  const enrol = useMutation({
    mutationFn: (totp: string) =>
      api<SessionInfo>("POST", "/auth/totp/enrol", { enrolmentToken: enrolment.enrolmentToken, totp }),
    onSuccess: (session) => {
      void message.success(t("enrol.success"));
      acceptSession(queryClient, session);
    },
    onError: (error) => {
      if (isApiError(error) && error.code === "ENROLMENT_EXPIRED") return onExpired(errorMessage(t, error));
      if (isApiError(error) && error.code === "TOTP_INVALID") {
        setAlert(null);
        form.setFields([{ name: "totp", errors: [errorMessage(t, error)] }]);
        form.focusField("totp");
        return;
      }
      setAlert(showServerError(t, form, error, { totp: { messages: "totp" } }));
    },
  });
  // The SVG comes from our server; as an <img> it cannot run script even if it were tampered with.
  const qrSource = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`;
  const groupedSecret = enrolment.secret.match(/.{1,4}/g)?.join(" ") ?? enrolment.secret;

  return (
    <Card>
      <h1 className="tb-page-title">{t("enrol.title")}</h1>
      <p className="tb-muted">{t("enrol.lead")}</p>
      <ol className="tb-enrol-steps">
        <li>
          <p>{t("enrol.step1")}</p>
          <img className="tb-qr" src={qrSource} alt={t("enrol.qrAlt")} width={200} height={200} />
        </li>
        <li>
          <p>{t("enrol.step2")}</p>
          <dl className="tb-secret-list">
            <dt>{t("enrol.account")}</dt>
            <dd>{username}</dd>
            <dt>{t("enrol.secret")}</dt>
            <dd>
              <Typography.Text className="tb-secret" copyable={{ text: enrolment.secret }} data-testid="totp-secret">
                {groupedSecret}
              </Typography.Text>
            </dd>
          </dl>
        </li>
        <li>
          <p>{t("enrol.step3")}</p>
          {alert && <Alert type="error" showIcon title={alert} style={{ marginBottom: 16 }} />}
          <Form
            form={form}
            name="enrol"
            layout="vertical"
            requiredMark={false}
            onFinish={(values) => enrol.mutate(values.totp.trim())}
          >
            <Form.Item name="totp" label={t("field.totp")} extra={t("hint.totp")} rules={[totpRule(t)]}>
              <TotpInput autoFocus />
            </Form.Item>
            <Button className="tb-submit" type="primary" htmlType="submit" size="large" block loading={enrol.isPending}>
              {t("enrol.submit")}
            </Button>
          </Form>
          <div className="tb-muted" style={{ marginTop: 12 }}>
            {t("enrol.expires", { time: formatDateTime(enrolment.expiresAt, currentLanguage()) })}
          </div>
        </li>
      </ol>
    </Card>
  );
}

function CredentialsStep({
  form,
  needTotp,
  alert,
  pending,
  onSubmit,
  onStartOver,
}: {
  form: FormInstance<Credentials>;
  needTotp: boolean;
  alert: { type: "error" | "info"; text: string } | null;
  pending: boolean;
  onSubmit: (values: Credentials) => void;
  onStartOver: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Card>
      <h1 className="tb-page-title">{t("login.title")}</h1>
      <p className="tb-muted">{needTotp ? t("login.totpNeeded") : t("login.lead")}</p>
      {alert && (
        <Alert type={alert.type} showIcon title={alert.text} style={{ marginBottom: 16 }} data-testid="login-alert" />
      )}
      <Form form={form} name="login" layout="vertical" requiredMark={false} onFinish={onSubmit}>
        <Form.Item
          name="username"
          label={t("field.loginUsername")}
          extra={t("hint.loginUsername")}
          rules={[{ required: true, whitespace: true, message: fieldMessage(t, "loginUsername", "REQUIRED") }]}
        >
          <Input size="large" prefix={<UserOutlined aria-hidden />} autoComplete="username" readOnly={needTotp} />
        </Form.Item>
        <Form.Item
          name="password"
          label={t("field.password")}
          rules={[{ required: true, message: fieldMessage(t, "loginPassword", "REQUIRED") }]}
          hidden={needTotp}
        >
          <Input.Password size="large" prefix={<LockOutlined aria-hidden />} autoComplete="current-password" />
        </Form.Item>
        {needTotp && (
          <Form.Item name="totp" label={t("field.totp")} extra={t("hint.totp")} rules={[totpRule(t)]}>
            <TotpInput autoFocus />
          </Form.Item>
        )}
        <Button className="tb-submit" type="primary" htmlType="submit" size="large" block loading={pending}>
          {needTotp ? t("login.verify") : t("login.submit")}
        </Button>
      </Form>
      <p style={{ marginTop: 16, marginBottom: 0 }}>
        {needTotp ? (
          <Button type="link" onClick={onStartOver} style={{ padding: 0 }}>
            {t("login.startOver")}
          </Button>
        ) : (
          <>
            {t("login.noAccount")} <Link to="/register">{t("login.goRegister")}</Link>
          </>
        )}
      </p>
    </Card>
  );
}

export default function LoginPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<Credentials>();
  const [params] = useSearchParams();
  const [needTotp, setNeedTotp] = useState(false);
  const [enrolment, setEnrolment] = useState<{ details: TotpEnrolment; username: string } | null>(null);
  const [alert, setAlert] = useState<{ type: "error" | "info"; text: string } | null>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  usePageTitle(enrolment ? t("enrol.title") : t("login.title"));

  const login = useMutation({
    mutationFn: (values: Credentials) =>
      api<SessionInfo>("POST", "/auth/login", {
        username: values.username.trim(),
        password: values.password,
        ...(values.totp ? { totp: values.totp.trim() } : {}),
      }),
    onSuccess: (session) => {
      void message.success(t("login.success"));
      acceptSession(queryClient, session);
    },
    onError: (error, values) => {
      if (!isApiError(error)) return setAlert({ type: "error", text: errorMessage(t, error) });
      switch (error.code) {
        case "TOTP_REQUIRED":
          setNeedTotp(true);
          setAlert({ type: "info", text: t("error.TOTP_REQUIRED") });
          return;
        case "TOTP_INVALID":
          setAlert(null);
          form.setFields([{ name: "totp", value: "", errors: [errorMessage(t, error)] }]);
          form.focusField("totp");
          return;
        case "TOTP_ENROLMENT_REQUIRED":
          setAlert(null);
          setEnrolment({ details: error.details as TotpEnrolment, username: values.username.trim() });
          return;
        case "VALIDATION_FAILED":
          setAlert({ type: "error", text: showServerError(t, form, error, loginFields) });
          return;
        case "INVALID_CREDENTIALS":
          form.setFieldValue("password", "");
          setNeedTotp(false);
          setAlert({ type: "error", text: errorMessage(t, error) });
          return;
        default:
          setAlert({ type: "error", text: errorMessage(t, error) });
      }
    },
  });

  useEffect(() => {
    if (alert?.type === "error") alertRef.current?.scrollIntoView({ block: "nearest" });
  }, [alert]);

  const startOver = (notice: { type: "error" | "info"; text: string } | null = null) => {
    setEnrolment(null);
    setNeedTotp(false);
    form.resetFields();
    setAlert(notice);
  };

  return (
    <div className="tb-auth" ref={alertRef}>
      {params.get("next") && !enrolment && !alert && (
        <Alert type="info" showIcon title={t("login.needLogin")} style={{ marginBottom: 16 }} />
      )}
      {enrolment ? (
        <EnrolmentStep
          enrolment={enrolment.details}
          username={enrolment.username}
          onExpired={(text) => startOver({ type: "error", text })}
        />
      ) : (
        <CredentialsStep
          form={form}
          needTotp={needTotp}
          alert={alert}
          pending={login.isPending}
          onSubmit={(values) => login.mutate(values)}
          onStartOver={() => startOver()}
        />
      )}
    </div>
  );
}
