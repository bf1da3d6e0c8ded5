import { useEffect, useRef } from "react";
import { useSearchParams } from "react-router";

/**
 * A list page's filters, kept in the URL (so a filtered list can be bookmarked and shared).
 * Each change builds on the latest one, even when two come before the page renders again
 * (useSearchParams alone would build the second on the stale first state and undo the first).
 *
 * What was chosen but has not reached the URL yet is a queue of the search strings sent. Only a
 * committed render moves the base: React may render a navigation and throw that render away, then
 * render the old URL again, so nothing here is learnt during rendering. When the URL shows a string
 * we sent, that change and the ones before it are done; a URL we did not send (the back button, a
 * link) replaces everything pending.
 */
export function useUrlFilters(): [URLSearchParams, (key: string, value: string) => void] {
  const [params, setParams] = useSearchParams();
  const base = useRef(params);
  const pending = useRef<URLSearchParams[]>([]);
  useEffect(() => {
    const shown = params.toString();
    const reached = pending.current.findIndex((sent) => sent.toString() === shown);
    pending.current = reached >= 0 ? pending.current.slice(reached + 1) : [];
    base.current = params;
  }, [params]);
  const update = (key: string, value: string) => {
    const next = new URLSearchParams(pending.current.at(-1) ?? base.current);
    if (value) next.set(key, value);
    else next.delete(key);
    pending.current = [...pending.current, next];
    setParams(next, { replace: true });
  };
  return [params, update];
}
