import { Suspense, useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { NavLink, Outlet, useLocation } from "react-router";
import { useSession } from "../api/session.ts";
import { PageLoading } from "../layout/AppShell.tsx";
import { entriesFor } from "./entries.tsx";

/** The staff side menu: plain links in a labelled <nav>, so every entry is one Tab stop and one page. */
export default function WorkbenchLayout() {
  const { t } = useTranslation();
  const { user } = useSession();
  const nav = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  // On a phone the menu is one scrolling row: bring the current page's entry into view.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the current entry changes with the page (pathname)
  useEffect(() => {
    const row = nav.current;
    const current = row?.querySelector<HTMLElement>('a[aria-current="page"]');
    if (!row || !current || row.scrollWidth <= row.clientWidth) return;
    const box = row.getBoundingClientRect();
    const entry = current.getBoundingClientRect();
    row.scrollLeft += entry.left - box.left - (box.width - entry.width) / 2;
  }, [pathname]);
  if (!user) return null;
  const entries = entriesFor(user, t);
  const main = entries.filter((entry) => !entry.group);
  const admin = entries.filter((entry) => entry.group === "admin");

  return (
    <div className="tb-container tb-page">
      <div className="tb-workbench">
        <nav ref={nav} className="tb-workbench-nav" aria-label={t("a11y.workbenchNav")}>
          <div className="tb-workbench-who">
            <strong>{user.name}</strong>
            <span>{user.departmentName}</span>
          </div>
          <ul>
            {main.map((entry) => (
              <li key={entry.key}>
                <NavLink to={entry.to} end>
                  <span aria-hidden>{entry.icon}</span> {entry.label}
                </NavLink>
              </li>
            ))}
          </ul>
          {admin.length > 0 && (
            <>
              <div className="tb-workbench-group" id="workbench-admin-group">
                {t("workbench.admin")}
              </div>
              <ul aria-labelledby="workbench-admin-group">
                {admin.map((entry) => (
                  <li key={entry.key}>
                    <NavLink to={entry.to}>
                      <span aria-hidden>{entry.icon}</span> {entry.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </>
          )}
        </nav>
        <div className="tb-workbench-content">
          <Suspense fallback={<PageLoading />}>
            <Outlet />
          </Suspense>
        </div>
      </div>
    </div>
  );
}
