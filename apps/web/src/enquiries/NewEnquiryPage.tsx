import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Flex, Form, Input } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { departmentsQuery } from "../api/public.ts";
import { serviceQuery } from "../api/services.ts";
import { useSession } from "../api/session.ts";
import { showServerError } from "../forms/errors.ts";
import { NativeSelect } from "../forms/NativeSelect.tsx";
import { currentLanguage } from "../i18n/index.ts";
import { usePageTitle } from "../usePageTitle.ts";
import { createEnquiry } from "./api.ts";

interface Values {
  departmentId?: string;
  subject: string;
  body: string;
}

/** 提出咨询: about a service (from its guide page) or to a department of the resident's region. */
export default function NewEnquiryPage() {
  const { t } = useTranslation();
  usePageTitle(t("enquiries.newTitle"));
  const [params] = useSearchParams();
  const serviceCode = params.get("service") ?? undefined;
  const { user } = useSession();
  const english = currentLanguage() === "en";
  const service = useQuery({ ...serviceQuery(serviceCode ?? ""), enabled: Boolean(serviceCode) });
  const regionCode = user?.regionCode ?? "";
  const departments = useQuery({ ...departmentsQuery(regionCode), enabled: !serviceCode && Boolean(regionCode) });
  const [form] = Form.useForm<Values>();
  const [alert, setAlert] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  const submit = async (values: Values) => {
    setPending(true);
    setAlert(null);
    try {
      const created = await createEnquiry({ ...values, serviceCode });
      await queryClient.invalidateQueries({ queryKey: ["enquiries"] });
      void navigate(`/me/enquiries/${encodeURIComponent(created.id)}`);
    } catch (error) {
      setAlert(
        showServerError(t, form, error, {
          departmentId: { messages: "any" },
          subject: { messages: "any" },
          body: { messages: "any" },
          serviceCode: { name: "departmentId", messages: "any" },
        }),
      );
      setPending(false);
    }
  };

  const item = service.data?.item;
  return (
    <div className="tb-container tb-page">
      <Link to="/me/enquiries" className="tb-back-link">
        {t("enquiries.back")}
      </Link>
      <h1 className="tb-page-title">{t("enquiries.newTitle")}</h1>
      <p className="tb-muted">{t("enquiries.newLead")}</p>
      <Card>
        {alert && <Alert type="error" showIcon title={alert} role="alert" style={{ marginBottom: 16 }} />}
        <Form form={form} layout="vertical" onFinish={(values) => void submit(values)} requiredMark>
          {serviceCode ? (
            <Form.Item label={t("enquiries.service")}>
              <strong>{item ? (english ? item.nameEn : item.name) : serviceCode}</strong>
              {item && <div className="tb-muted">{service.data?.departmentName}</div>}
            </Form.Item>
          ) : (
            <Form.Item
              name="departmentId"
              label={t("enquiries.department")}
              rules={[{ required: true, message: t("validation.any.REQUIRED") }]}
            >
              <NativeSelect
                placeholder={t("enquiries.chooseDepartment")}
                options={(departments.data ?? []).map((d) => ({
                  value: d.id,
                  label: english && d.nameEn ? d.nameEn : d.name,
                }))}
              />
            </Form.Item>
          )}
          <Form.Item
            name="subject"
            label={t("enquiries.subject")}
            rules={[
              { required: true, whitespace: true, message: t("validation.any.REQUIRED") },
              { min: 4, message: t("validation.any.TOO_SHORT") },
            ]}
          >
            <Input maxLength={80} showCount placeholder={t("enquiries.subjectPlaceholder")} />
          </Form.Item>
          <Form.Item
            name="body"
            label={t("enquiries.body")}
            rules={[
              { required: true, whitespace: true, message: t("validation.any.REQUIRED") },
              { min: 5, message: t("validation.any.TOO_SHORT") },
            ]}
          >
            <Input.TextArea rows={5} maxLength={2000} showCount placeholder={t("enquiries.bodyPlaceholder")} />
          </Form.Item>
          <Flex gap={12} wrap>
            <Button type="primary" htmlType="submit" loading={pending}>
              {t("enquiries.submit")}
            </Button>
            <Link to="/me/enquiries" className="tb-hbtn">
              {t("enquiries.cancel")}
            </Link>
          </Flex>
        </Form>
      </Card>
    </div>
  );
}
