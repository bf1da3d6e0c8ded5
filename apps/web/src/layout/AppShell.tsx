import { Flex, Spin } from "antd";
import { Suspense, useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Outlet, useLocation } from "react-router";
import { Footer } from "./Footer.tsx";
import { Header } from "./Header.tsx";

export function PageLoading() {
  const { t } = useTranslation();
  return (
    <Flex justify="center" style={{ padding: 64 }} role="status" aria-live="polite">
      <Spin />
      <span className="tb-visually-hidden">{t("common.loading")}</span>
    </Flex>
  );
}

export function AppShell() {
  const { t } = useTranslation();
  const mainRef = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const firstRender = useRef(true);

  // After a client-side navigation a screen reader would otherwise stay where the link was;
  // moving focus to <main> starts it at the new page's content, as a full page load would.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    if (pathname) {
      window.scrollTo(0, 0);
      mainRef.current?.focus({ preventScroll: true });
    }
  }, [pathname]);

  return (
    <div className="tb-app">
      {/* A plain fragment link: the browser scrolls to <main> and, as it has tabIndex -1, focuses it. */}
      <a className="tb-skip" href="#main">
        {t("a11y.skipToContent")}
      </a>
      <Header />
      <main id="main" className="tb-main" tabIndex={-1} ref={mainRef}>
        <Suspense fallback={<PageLoading />}>
          <Outlet />
        </Suspense>
      </main>
      <Footer />
    </div>
  );
}
