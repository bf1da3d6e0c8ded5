import { useQuery } from "@tanstack/react-query";
import { EnquiryStatus } from "@tongban/contracts";
import { Card, Checkbox, Flex } from "antd";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "../api/session.ts";
import { FilterField } from "../forms/FilterField.tsx";
import { NativeSelect } from "../forms/NativeSelect.tsx";
import { useUrlFilters } from "../forms/useUrlFilters.ts";
import { QueryState } from "../layout/QueryState.tsx";
import { usePageTitle } from "../usePageTitle.ts";
import { enquiriesQuery } from "./api.ts";
import { EnquiryList } from "./EnquiryList.tsx";

/** The department's enquiries for window and handling staff (and the region's, for supervisors). */
export default function EnquiryQueuePage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const [params, update] = useUrlFilters();
  const statusParam = params.get("status") ?? "";
  const status = EnquiryStatus.safeParse(statusParam).data;
  const mine = params.get("mine") === "true";
  const countId = useId();
  usePageTitle(t("enquiries.queueTitle"));
  const query = useQuery(enquiriesQuery({ status, mine }));
  const answers = user?.roles.some((r) => r === "window" || r === "handling") ?? false;

  return (
    <>
      <h1 className="tb-page-title">{t("enquiries.queueTitle")}</h1>
      <p className="tb-muted">{t("enquiries.queueLead", { department: user?.departmentName ?? "" })}</p>
      <Card className="tb-service-filters">
        <Flex gap={16} wrap align="flex-end" className="tb-service-selects">
          <FilterField label={t("queue.statusLabel")}>
            {(id) => (
              <NativeSelect
                id={id}
                value={status ?? ""}
                onChange={(event) => update("status", event.target.value)}
                options={[
                  { value: "", label: t("enquiries.allStatuses") },
                  ...EnquiryStatus.options.map((s) => ({ value: s, label: t(`enquiries.status.${s}`) })),
                ]}
              />
            )}
          </FilterField>
          {answers && (
            <Checkbox checked={mine} onChange={(event) => update("mine", event.target.checked ? "true" : "")}>
              {t("enquiries.mine")}
            </Checkbox>
          )}
        </Flex>
      </Card>
      <section aria-labelledby={countId} className="tb-section">
        <p id={countId} className="tb-muted" aria-live="polite">
          {query.data ? t("enquiries.count", { count: query.data.length }) : t("common.loading")}
        </p>
        <QueryState query={query} emptyInCard empty={t("enquiries.queueEmpty")}>
          {(items) => <EnquiryList items={items} linkTo="/workbench/enquiries" staff />}
        </QueryState>
      </section>
    </>
  );
}
