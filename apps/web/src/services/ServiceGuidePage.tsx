import { ArrowLeftOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Flex } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { createApplication } from "../api/applications.ts";
import { serviceQuery } from "../api/services.ts";
import { useSession } from "../api/session.ts";
import { errorMessage } from "../forms/errors.ts";
import { currentLanguage } from "../i18n/index.ts";
import { PageQueryState } from "../layout/QueryState.tsx";
import { usePageTitle } from "../usePageTitle.ts";
import { ServiceElements } from "./ServiceElements.tsx";

/** 在线办理: anonymous visitors log in first; only the service's applicant kinds may file. */
function ApplyButton({ code, applicantKinds }: { code: string; applicantKinds: string[] }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!user) {
    return (
      <Link
        to={`/login?next=${encodeURIComponent(location.pathname)}`}
        className="tb-hbtn tb-hbtn-solid tb-hbtn-lg tb-apply-link"
      >
        {t("application.loginToApply")}
      </Link>
    );
  }
  if (user.kind === "staff") return <p className="tb-muted">{t("application.applyStaffNote")}</p>;
  if (!applicantKinds.includes(user.kind)) {
    const kinds = applicantKinds.map((kind) =>
      kind === "resident" || kind === "enterprise" ? t(`kind.${kind}`) : kind,
    );
    return <Alert type="info" showIcon title={t("application.applyNotForYou", { kinds: kinds.join("、") })} />;
  }
  const apply = async () => {
    setPending(true);
    setError(null);
    try {
      const created = await createApplication(code);
      void navigate(`/applications/${encodeURIComponent(created.id)}`);
    } catch (failure) {
      setError(errorMessage(t, failure));
      setPending(false);
    }
  };
  return (
    <Flex vertical gap={8} align="flex-start">
      <Button type="primary" size="large" loading={pending} onClick={() => void apply()}>
        {t("application.apply")}
      </Button>
      {error && <Alert type="error" showIcon title={error} role="alert" />}
    </Flex>
  );
}

/** 咨询此事项: a question to the competent department, for residents and enterprises. */
function AskLink({ code }: { code: string }) {
  const { t } = useTranslation();
  const { user } = useSession();
  if (user?.kind === "staff") return null;
  const ask = `/me/enquiries/new?service=${encodeURIComponent(code)}`;
  return (
    <Link to={user ? ask : `/login?next=${encodeURIComponent(ask)}`} className="tb-guide-ask">
      {t("enquiries.askAbout")}
    </Link>
  );
}

export default function ServiceGuidePage() {
  const { t } = useTranslation();
  const { code = "" } = useParams();
  const query = useQuery(serviceQuery(code));
  const english = currentLanguage() === "en";
  const item = query.data?.item;
  usePageTitle(item ? (english ? item.nameEn : item.name) : t("guide.title"));

  const back = (
    <Link to="/services" className="tb-back-link">
      <ArrowLeftOutlined aria-hidden /> {t("guide.backToList")}
    </Link>
  );

  const state = <PageQueryState query={query} back={back} notFound={t("guide.notFound")} rows={10} />;
  if (!query.isSuccess) return state;

  const service = query.data.item;

  return (
    <div className="tb-container tb-page">
      {back}
      <h1 className="tb-page-title">{english ? service.nameEn : service.name}</h1>
      {english && (
        <p className="tb-muted" lang="zh-Hans">
          {service.name}
        </p>
      )}
      <Alert type="info" showIcon title={t("guide.onceNotice")} className="tb-guide-notice" />
      <div className="tb-guide-apply">
        <ApplyButton code={service.code} applicantKinds={service.applicantKinds} />
        <AskLink code={service.code} />
      </div>

      <ServiceElements detail={query.data} />
    </div>
  );
}
