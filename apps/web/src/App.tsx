import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider, type ThemeConfig } from "antd";
import enUS from "antd/es/locale/en_US";
import zhCN from "antd/es/locale/zh_CN";
import zhTW from "antd/es/locale/zh_TW";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
// From react-router/dom: only this RouterProvider can apply navigate(…, { flushSync: true }).
import { RouterProvider } from "react-router/dom";
import { setSessionLostListener } from "./api/client.ts";
import { sessionKey } from "./api/session.ts";
import { currentLanguage, type Language } from "./i18n/index.ts";
import { RegionProvider } from "./region.tsx";
import { router } from "./router.tsx";
import { fontStacks, theme } from "./theme.ts";

const antdLocales = { "zh-Hans": zhCN, "zh-Hant": zhTW, en: enUS } satisfies Record<Language, unknown>;

function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: { refetchOnWindowFocus: false, retry: 1 },
      mutations: { retry: false },
    },
  });
}

// People who ask their system for less motion get no antd animations (WCAG 2.3.3).
const reducedMotion = typeof window !== "undefined" && window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;

function themeFor(language: Language): ThemeConfig {
  return {
    ...theme,
    token: { ...theme.token, fontFamily: fontStacks[language], ...(reducedMotion ? { motion: false } : {}) },
  };
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  // Re-render on language change so antd's own texts (pagination, empty states) follow.
  useTranslation();
  const language = currentLanguage();

  useEffect(() => {
    // Text outside antd components (header, hero, headings) uses the same font order.
    document.documentElement.style.setProperty("--tb-font", fontStacks[language]);
  }, [language]);

  useEffect(() => {
    // An expired session shows up as UNAUTHENTICATED on any call; the guards then send the user to log in.
    setSessionLostListener(() => queryClient.setQueryData(sessionKey, null));
  }, [queryClient]);

  return (
    <ConfigProvider
      theme={themeFor(language)}
      locale={antdLocales[language]}
      // antd would print two-character Chinese buttons as "注 册"; screen readers then spell them out.
      button={{ autoInsertSpace: false }}
    >
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <RegionProvider>
            <RouterProvider router={router} />
          </RegionProvider>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}
