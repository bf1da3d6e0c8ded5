import { ArrowLeftOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { FederatedServiceDetail, FieldIssue } from "@tongban/contracts";
import { Alert, App, Button, Card, Form } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { isApiError } from "../api/client.ts";
import { federatedServiceQuery, handOver } from "../api/federation.ts";
import { useSession } from "../api/session.ts";
import { FormFields, messageGroup, toFormData } from "../applications/FormFields.tsx";
import { errorMessage, fieldMessage } from "../forms/errors.ts";
import { currentLanguage } from "../i18n/index.ts";
import { PageQueryState } from "../layout/QueryState.tsx";
import { ServiceElements } from "../services/ServiceElements.tsx";
import { usePageTitle } from "../usePageTitle.ts";

const phone = () => typeof window !== "undefined" && window.matchMedia?.("(max-width: 767px)").matches;

/** The application form of another region's service: checked here against its form, then handed over. */
function ApplyCard({ detail }: { detail: FederatedServiceDetail }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<string | null>(null);
  const item = detail.item;

  const showIssues = (issues: FieldIssue[]) => {
    const byField = new Map<string, string[]>();
    const unplaced: string[] = [];
    for (const issue of issues) {
      const name = issue.field.startsWith("form.") ? (issue.field.slice(5).split(".")[0] ?? "") : "";
      if (name && item.form.ui.order.includes(name)) {
        const list = byField.get(name) ?? [];
        list.push(fieldMessage(t, messageGroup(item.form, name), issue.reason));
        byField.set(name, list);
      } else unplaced.push(issue.message);
    }
    form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
    setSummary([t("application.errorsSummary", { count: issues.length }), ...unplaced].join(" "));
    const first = byField.keys().next();
    if (!first.done) form.scrollToField(first.value, { focus: true, block: "center" });
  };

  const submit = async () => {
    setBusy(true);
    setSummary(null);
    form.setFields(item.form.ui.order.map((name) => ({ name, errors: [] })));
    try {
      const values = form.getFieldsValue(true) as Record<string, unknown>;
      const created = await handOver(item.code, toFormData(item.form, values), phone() ? "mobile" : "pc");
      void queryClient.invalidateQueries({ queryKey: ["federation", "cases"] });
      void message.success(t("federation.handedOver", { region: detail.regionName }));
      void navigate(`/me/federated/${encodeURIComponent(created.id)}`);
    } catch (error) {
      if (isApiError(error) && error.fieldIssues.length > 0) showIssues(error.fieldIssues);
      else setSummary(errorMessage(t, error));
      setBusy(false);
    }
  };

  return (
    <Card className="tb-guide-section">
      <section aria-labelledby="federated-form-title">
        <h2 id="federated-form-title" className="tb-card-title">
          {t("federation.formTitle")}
        </h2>
        {summary && <Alert type="error" showIcon title={summary} role="alert" className="tb-form-summary" />}
        <Form form={form} name="federated-apply" layout="vertical" onFinish={() => void submit()} disabled={busy}>
          <FormFields form={item.form} />
          <p className="tb-muted">{t("federation.materialsNote", { region: detail.regionName })}</p>
          <Button type="primary" htmlType="submit" size="large" loading={busy}>
            {t("federation.apply")}
          </Button>
        </Form>
      </section>
    </Card>
  );
}

function ApplyArea({ detail }: { detail: FederatedServiceDetail }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const location = useLocation();
  const item = detail.item;
  if (!item.handlingModes.includes("online") && !(item.joint && item.handlingModes.includes("joint")))
    return <Alert type="info" showIcon title={t("federation.notOnline", { region: detail.regionName })} />;
  if (!user)
    return (
      <Link
        to={`/login?next=${encodeURIComponent(location.pathname)}`}
        className="tb-hbtn tb-hbtn-solid tb-hbtn-lg tb-apply-link"
      >
        {t("federation.loginToApply")}
      </Link>
    );
  if (user.kind === "staff") return <p className="tb-muted">{t("federation.staffNote")}</p>;
  if (!(item.applicantKinds as string[]).includes(user.kind)) {
    const kinds = item.applicantKinds.map((kind) => t(`kind.${kind}`)).join("、");
    return <Alert type="info" showIcon title={t("federation.notForYou", { kinds })} />;
  }
  return <ApplyCard detail={detail} />;
}

/** Another region's service: its guide as its catalogue publishes it, and 全程网办 from here. */
export default function FederatedServicePage() {
  const { t } = useTranslation();
  const { code = "" } = useParams();
  const query = useQuery(federatedServiceQuery(code));
  const english = currentLanguage() === "en";
  const item = query.data?.item;
  usePageTitle(item ? (english ? item.nameEn : item.name) : t("federation.tag"));

  const back = (
    <Link to="/services" className="tb-back-link">
      <ArrowLeftOutlined aria-hidden /> {t("federation.backToServices")}
    </Link>
  );
  if (!query.isSuccess) return <PageQueryState query={query} back={back} notFound={t("guide.notFound")} rows={10} />;
  const detail = query.data;
  return (
    <div className="tb-container tb-page">
      {back}
      <h1 className="tb-page-title">{english ? detail.item.nameEn : detail.item.name}</h1>
      <Alert
        type="info"
        showIcon
        title={t("federation.guideNotice", { region: detail.regionName })}
        description={detail.item.joint ? t("federation.jointNotice", { region: detail.regionName }) : undefined}
        className="tb-guide-notice"
      />
      <ServiceElements detail={detail} />
      <div className="tb-guide-apply">
        <ApplyArea detail={detail} />
      </div>
    </div>
  );
}
