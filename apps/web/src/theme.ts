import type { ThemeConfig } from "antd";

/**
 * Colours are chosen for WCAG 2.1 AA: every text colour below reaches at least 4.5:1 on white
 * and on the page background. antd's defaults do not (#1677ff is 4.1:1, its secondary text
 * rgba(0,0,0,.45) about 3.4:1, its error red #ff4d4f about 3.3:1).
 */
export const palette = {
  primary: "#1c4f9c", // 7.9:1 on white
  primaryDark: "#0e3a78", // header band, 11:1 with white text
  accent: "#b3161d", // government red for marks and badges, 6.9:1 with white text
  error: "#c0161d", // 6.2:1 on white
  success: "#2b6a2e", // 6.6:1 on white
  warning: "#8a5300", // 6.3:1 on white
  pageBackground: "#f4f6f9",
  textSecondary: "#555555", // 6.9:1 on the page background
};

const latin = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial';

/**
 * Chinese fonts first for Chinese, so punctuation such as “” takes its full-width Chinese form;
 * Latin fonts first for English, so the same quotes are not drawn as wide CJK glyphs.
 */
export const fontStacks = {
  "zh-Hans": `"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", ${latin}, sans-serif`,
  "zh-Hant": `"PingFang TC", "Microsoft JhengHei", "Noto Sans CJK TC", "Source Han Sans TC", ${latin}, sans-serif`,
  en: `${latin}, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif`,
};

export const theme: ThemeConfig = {
  token: {
    colorPrimary: palette.primary,
    colorLink: palette.primary,
    // antd would lighten the link on hover to about 3.8:1 — below AA for a link the pointer rests on.
    colorLinkHover: palette.primaryDark,
    colorLinkActive: palette.primaryDark,
    colorInfo: palette.primary,
    colorError: palette.error,
    colorSuccess: palette.success,
    colorWarning: palette.warning,
    colorTextSecondary: "rgba(0, 0, 0, 0.68)",
    colorTextTertiary: "rgba(0, 0, 0, 0.64)",
    colorTextDescription: "rgba(0, 0, 0, 0.64)",
    colorTextPlaceholder: "rgba(0, 0, 0, 0.56)",
    colorBgLayout: palette.pageBackground,
    borderRadius: 6,
    fontSize: 15,
    fontFamily: fontStacks["zh-Hans"],
  },
  components: {
    Layout: { headerBg: palette.primaryDark, bodyBg: palette.pageBackground, footerBg: "#1f2a3a" },
    Menu: { itemSelectedColor: palette.primary },
  },
};
