import { MailOutlined, MessageOutlined } from "@ant-design/icons";
import { useInfiniteQuery } from "@tanstack/react-query";
import type { OutboxMessage } from "@tongban/contracts";
import { Button, Card, Flex, Tag } from "antd";
import { useId } from "react";
import { useTranslation } from "react-i18next";

import { formatDateTime } from "../format.ts";
import { FilterField } from "../forms/FilterField.tsx";
import { NativeSelect } from "../forms/NativeSelect.tsx";
import { SearchBox } from "../forms/SearchBox.tsx";
import { useUrlFilters } from "../forms/useUrlFilters.ts";
import { currentLanguage } from "../i18n/index.ts";
import { LoadMore, QueryState } from "../layout/QueryState.tsx";
import { usePageTitle } from "../usePageTitle.ts";
import { AdminHeader } from "./AdminHeader.tsx";
import { outboxQuery } from "./api.ts";

function MessageCard({ message }: { message: OutboxMessage }) {
  const { t } = useTranslation();
  const sms = message.channel === "sms";
  return (
    <li className="tb-message" data-testid="outbox-message">
      <Flex gap={8} wrap align="center" className="tb-message-head">
        <Tag className={`tb-tone tb-tone-${sms ? "blue" : "gold"}`}>
          <span aria-hidden>{sms ? <MessageOutlined /> : <MailOutlined />}</span>{" "}
          {t(`admin.messages.channel.${message.channel}`)}
        </Tag>
        <span className="tb-message-to">
          {t("admin.messages.to", { recipient: message.recipient })}
          {message.accountName ? ` · ${message.accountName}` : ""}
        </span>
        {message.status !== "sent" && (
          <Tag className={`tb-tone tb-tone-${message.status === "failed" ? "red" : "orange"}`}>
            {t(`admin.messages.status.${message.status}`)}
          </Tag>
        )}
        <time className="tb-muted tb-message-time" dateTime={message.createdAt}>
          {formatDateTime(message.createdAt, currentLanguage())}
        </time>
      </Flex>
      {message.subject && (
        <div className="tb-message-subject" lang="zh-Hans">
          {message.subject}
        </div>
      )}
      {message.status !== "sent" && message.attempts > 0 && (
        <p className="tb-muted">
          {t("admin.messages.attempts", { count: message.attempts })}
          {message.lastError ? ` · ${t("admin.messages.lastError", { error: message.lastError })}` : ""}
        </p>
      )}
      {/* The server writes messages in Simplified Chinese, whatever the reader's language. */}
      <p className="tb-message-body" lang="zh-Hans">
        {message.body}
      </p>
    </li>
  );
}

export default function MessagesPage() {
  const { t } = useTranslation();
  const [params, update] = useUrlFilters();
  const channelParam = params.get("channel");
  const channel = channelParam === "sms" || channelParam === "email" ? channelParam : undefined;
  const q = params.get("q") ?? "";
  const countId = useId();
  const query = useInfiniteQuery(outboxQuery({ channel, q: q || undefined }));
  usePageTitle(t("admin.messages.title"));

  const messages = query.data?.pages.flat() ?? [];

  return (
    <>
      <AdminHeader
        title={t("admin.messages.title")}
        lead={t("admin.messages.lead")}
        alert={null}
        onCloseAlert={() => {}}
      />
      <Card className="tb-service-filters">
        <SearchBox
          value={q}
          label={t("admin.messages.searchLabel")}
          placeholder={t("admin.messages.searchPlaceholder")}
          onSearch={(text) => update("q", text)}
        />
        <Flex gap={16} wrap align="flex-end" className="tb-service-selects">
          <FilterField label={t("admin.messages.channelLabel")}>
            {(id) => (
              <NativeSelect
                id={id}
                value={channel ?? ""}
                onChange={(event) => update("channel", event.target.value)}
                options={[
                  { value: "", label: t("admin.messages.allChannels") },
                  { value: "sms", label: t("admin.messages.channel.sms") },
                  { value: "email", label: t("admin.messages.channel.email") },
                ]}
              />
            )}
          </FilterField>
          <Button onClick={() => void query.refetch()} loading={query.isRefetching}>
            {t("admin.messages.refresh")}
          </Button>
        </Flex>
      </Card>
      <section aria-labelledby={countId} className="tb-section">
        <p id={countId} className="tb-muted" aria-live="polite">
          {query.data
            ? query.hasNextPage
              ? t("admin.messages.countMore", { count: messages.length })
              : t("admin.messages.count", { count: messages.length })
            : t("common.loading")}
        </p>
        <QueryState
          query={query}
          items={messages}
          emptyInCard
          empty={q || channel ? t("admin.messages.emptyFiltered") : t("admin.messages.empty")}
        >
          {() => (
            <Card>
              <ul className="tb-card-list">
                {messages.map((message) => (
                  <MessageCard key={message.id} message={message} />
                ))}
              </ul>
              <LoadMore query={query} label={t("admin.messages.more")} />
            </Card>
          )}
        </QueryState>
      </section>
    </>
  );
}
