import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Enquiry } from "@tongban/contracts";
import { Alert, Button, Card, Descriptions, Flex, Form, Input, Modal, Skeleton } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { formatDateTime } from "../format.ts";
import { errorMessage, showServerError } from "../forms/errors.ts";
import { currentLanguage } from "../i18n/index.ts";
import { usePageTitle } from "../usePageTitle.ts";
import { closeEnquiry, enquiryQuery, replyToEnquiry, takeEnquiry } from "./api.ts";
import { EnquiryStatusTag } from "./EnquiryStatusTag.tsx";

function Thread({ enquiry, staff }: { enquiry: Enquiry; staff: boolean }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  return (
    <ol className="tb-thread" aria-label={t("enquiries.body")}>
      {enquiry.messages.map((message) => {
        const mine = (message.authorRole === "asker") !== staff;
        const who =
          message.authorRole === "asker"
            ? staff
              ? message.authorName
              : t("enquiries.you")
            : t("enquiries.staffAnswer", { name: message.authorName });
        return (
          <li
            key={message.id}
            className={`tb-thread-item ${mine ? "tb-thread-mine" : ""}`}
            data-role={message.authorRole}
          >
            <Flex gap={8} wrap align="baseline" className="tb-thread-head">
              <strong>{who}</strong>
              <time className="tb-muted" dateTime={message.at}>
                {formatDateTime(message.at, language)}
              </time>
            </Flex>
            <p className="tb-thread-body">{message.body}</p>
          </li>
        );
      })}
    </ol>
  );
}

/**
 * One enquiry: its details, the thread, and what the caller may do — the asker adds to the question
 * or closes it; the department's staff take it (首问负责) and answer.
 */
export default function EnquiryPage({ staff = false }: { staff?: boolean }) {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const query = useQuery(enquiryQuery(id));
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ body: string }>();
  const [alert, setAlert] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const enquiry = query.data;
  usePageTitle(enquiry?.subject ?? t("enquiries.title"));
  const language = currentLanguage();

  const done = (next: Enquiry) => {
    queryClient.setQueryData(enquiryQuery(id).queryKey, next);
    void queryClient.invalidateQueries({ queryKey: ["enquiries", "list"] });
    setAlert(null);
  };
  const take = useMutation({
    mutationFn: () => takeEnquiry(id),
    onSuccess: (next) => {
      done(next);
      setNotice(t("enquiries.taken"));
    },
    onError: (error) => setAlert(errorMessage(t, error)),
  });
  const reply = useMutation({
    mutationFn: (body: string) => replyToEnquiry(id, body),
    onSuccess: (next) => {
      done(next);
      form.resetFields();
    },
    onError: (error) => setAlert(showServerError(t, form, error, { body: { messages: "any" } })),
  });
  const close = useMutation({
    mutationFn: () => closeEnquiry(id),
    onSuccess: done,
    onError: (error) => setAlert(errorMessage(t, error)),
  });

  const back = (
    <Link to={staff ? "/workbench/enquiries" : "/me/enquiries"} className="tb-back-link">
      {staff ? t("enquiries.queueBack") : t("enquiries.back")}
    </Link>
  );
  if (query.isPending) return <Skeleton active />;
  if (query.isError || !enquiry)
    return (
      <div className={staff ? "" : "tb-container tb-page"}>
        {back}
        <Alert type="error" showIcon title={errorMessage(t, query.error)} role="alert" />
      </div>
    );

  const canTake = enquiry.allowed.includes("take");
  const canReply = enquiry.allowed.includes("reply");
  const canClose = enquiry.allowed.includes("close");
  return (
    <div className={staff ? "" : "tb-container tb-page"}>
      {back}
      <h1 className="tb-page-title">{enquiry.subject}</h1>
      <Flex gap={8} wrap align="center" style={{ marginBottom: 12 }}>
        <EnquiryStatusTag status={enquiry.status} />
        <span className="tb-muted">{enquiry.number}</span>
      </Flex>
      <Card>
        <Descriptions
          column={{ xs: 1, sm: 1, md: 2 }}
          size="small"
          items={[
            { key: "department", label: t("enquiries.department"), children: enquiry.departmentName },
            ...(enquiry.serviceName
              ? [{ key: "service", label: t("enquiries.service"), children: enquiry.serviceName }]
              : []),
            ...(staff ? [{ key: "asker", label: t("enquiries.askerName"), children: enquiry.askerName }] : []),
            {
              key: "asked",
              label: t("enquiries.askedOn"),
              children: <time dateTime={enquiry.createdAt}>{formatDateTime(enquiry.createdAt, language)}</time>,
            },
            {
              key: "first",
              label: t("enquiries.firstContact"),
              children: enquiry.firstContactName ?? t("enquiries.firstContactNone"),
            },
          ]}
        />
      </Card>
      <section className="tb-section">
        <Thread enquiry={enquiry} staff={staff} />
      </section>
      <div aria-live="polite">
        {notice && <Alert type="success" showIcon title={notice} style={{ marginBottom: 12 }} />}
        {alert && <Alert type="error" showIcon title={alert} role="alert" style={{ marginBottom: 12 }} />}
      </div>
      {enquiry.status === "closed" ? (
        <Alert type="info" showIcon title={t("enquiries.closed")} />
      ) : staff && !canReply ? (
        <Alert
          type="info"
          showIcon
          title={
            enquiry.firstContactName
              ? t("enquiries.otherResponsible", { name: enquiry.firstContactName })
              : t("enquiries.readOnly")
          }
        />
      ) : null}
      {canTake && (
        <Button onClick={() => take.mutate()} loading={take.isPending} style={{ marginBottom: 12 }}>
          {t("enquiries.take")}
        </Button>
      )}
      {canReply && (
        <Card>
          <Form form={form} layout="vertical" onFinish={(values) => reply.mutate(values.body)}>
            <Form.Item
              name="body"
              label={staff ? t("enquiries.replyStaff") : t("enquiries.reply")}
              rules={[
                { required: true, whitespace: true, message: t("validation.any.REQUIRED") },
                { min: 2, message: t("validation.any.TOO_SHORT") },
              ]}
            >
              <Input.TextArea rows={4} maxLength={2000} showCount placeholder={t("enquiries.replyPlaceholder")} />
            </Form.Item>
            <Flex gap={12} wrap>
              <Button type="primary" htmlType="submit" loading={reply.isPending}>
                {t("enquiries.send")}
              </Button>
              {canClose && (
                <Button
                  onClick={() =>
                    Modal.confirm({
                      title: t("enquiries.close"),
                      content: t("enquiries.closeConfirm"),
                      okText: t("enquiries.close"),
                      cancelText: t("enquiries.cancel"),
                      onOk: () => close.mutateAsync(),
                    })
                  }
                  loading={close.isPending}
                >
                  {t("enquiries.close")}
                </Button>
              )}
            </Flex>
          </Form>
        </Card>
      )}
    </div>
  );
}
