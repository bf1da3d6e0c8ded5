import type { UseQueryResult } from "@tanstack/react-query";
import { Alert, Button, Empty, Skeleton } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { errorMessage } from "../forms/errors.ts";

/**
 * A list's loading, failure (with a retry) and empty states, or the list itself: the same three
 * answers on every page that loads one.
 */
export function QueryState<T>({
  query,
  empty,
  children,
}: {
  query: UseQueryResult<T[]>;
  /** What an empty list means, in the page's words. */
  empty: string;
  children: (data: T[]) => ReactNode;
}) {
  const { t } = useTranslation();
  if (query.isPending) return <Skeleton active />;
  if (query.isError)
    return (
      <Alert
        type="error"
        showIcon
        title={t("error.loadFailed")}
        description={errorMessage(t, query.error)}
        action={<Button onClick={() => void query.refetch()}>{t("common.retry")}</Button>}
      />
    );
  if (query.data.length === 0) return <Empty description={empty} />;
  return <>{children(query.data)}</>;
}
