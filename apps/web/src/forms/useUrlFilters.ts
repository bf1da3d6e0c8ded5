import { useRef } from "react";
import { useSearchParams } from "react-router";

/**
 * A list page's filters, kept in the URL (so a filtered list can be bookmarked and shared).
 * Each change builds on the latest one, even when two come before the page renders again
 * (useSearchParams alone would build the second on the stale first state and undo the first).
 */
export function useUrlFilters(): [URLSearchParams, (key: string, value: string) => void] {
  const [params, setParams] = useSearchParams();
  const latest = useRef(params);
  // The URL's parameters replace ours only when they change: a render in between (a query answering
  // before the navigation commits) still sees the old ones and must not undo a filter just chosen.
  const seen = useRef(params);
  if (seen.current !== params) {
    seen.current = params;
    latest.current = params;
  }
  const update = (key: string, value: string) => {
    const next = new URLSearchParams(latest.current);
    if (value) next.set(key, value);
    else next.delete(key);
    latest.current = next;
    setParams(next, { replace: true });
  };
  return [params, update];
}
