import type { UseQueryResult } from "@tanstack/react-query";
import { Alert, Button, Card, Empty, Skeleton } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { isApiError } from "../api/client.ts";
import { errorMessage } from "../forms/errors.ts";

/** What QueryState needs of a query: plain and paged (infinite) queries both have it. */
type Loading = Pick<UseQueryResult, "isPending" | "isError" | "error" | "refetch">;

/**
 * A list's loading, failure (with a retry) and empty states, or the list itself: the same three
 * answers on every page that loads one. A paged query passes the items it has gathered as `items`.
 */
export function QueryState<T>({
  query,
  items,
  empty,
  emptyInCard = false,
  children,
}: {
  /** What an empty list means, in the page's words. */
  empty: string;
  /** Shows the empty state on a card, like the list it stands for. */
  emptyInCard?: boolean;
  children: (data: T[]) => ReactNode;
} & (
  | { query: Loading & { data?: T[] }; items?: undefined }
  /** The list, when it is not the query's data itself (e.g. the pages of an infinite query). */
  | { query: Loading; items: T[] }
)) {
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
  const list = items ?? (query as { data?: T[] }).data ?? [];
  if (list.length === 0)
    return emptyInCard ? (
      <Card>
        <Empty description={empty} />
      </Card>
    ) : (
      <Empty description={empty} />
    );
  return <>{children(list)}</>;
}

/** "More" under a paged list, while the server has more to give. */
export function LoadMore({
  query,
  label,
}: {
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
  label: string;
}) {
  if (!query.hasNextPage) return null;
  return (
    <Button
      block
      onClick={() => void query.fetchNextPage()}
      loading={query.isFetchingNextPage}
      style={{ marginTop: 12 }}
    >
      {label}
    </Button>
  );
}

/**
 * A whole page's loading and failure states for the one record it shows: a skeleton while it loads;
 * when it fails, the way back and why (a 404 as a warning with `notFound`, else an error with a retry).
 * Answers undefined once the record is there.
 */
export function PageQueryState({
  query,
  back,
  notFound,
  rows = 8,
}: {
  query: Loading;
  back: ReactNode;
  notFound: string;
  rows?: number;
}): ReactNode {
  const { t } = useTranslation();
  if (query.isPending)
    return (
      <div className="tb-container tb-page">
        <Skeleton active paragraph={{ rows }} />
      </div>
    );
  if (!query.isError) return undefined;
  const missing = isApiError(query.error) && query.error.status === 404;
  return (
    <div className="tb-container tb-page">
      {back}
      <Alert
        type={missing ? "warning" : "error"}
        showIcon
        title={missing ? notFound : t("error.loadFailed")}
        description={missing ? undefined : errorMessage(t, query.error)}
        action={missing ? undefined : <Button onClick={() => void query.refetch()}>{t("common.retry")}</Button>}
      />
    </div>
  );
}
