import { DownOutlined, LogoutOutlined, MenuOutlined, UserOutlined } from "@ant-design/icons";
import type { CurrentUser } from "@tongban/contracts";
import { Button, Drawer, Dropdown, Flex } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, NavLink, useNavigate } from "react-router";
import { useSession } from "../api/session.ts";
import { useRegion } from "../region.tsx";
import { LanguageSwitch } from "./LanguageSwitch.tsx";
import { RegionSwitch } from "./RegionSwitch.tsx";
import { useSignOut } from "./useSignOut.ts";

interface NavItem {
  to: string;
  label: string;
}

function useNavItems(user: CurrentUser | null): NavItem[] {
  const { t } = useTranslation();
  const items: NavItem[] = [
    { to: "/", label: t("nav.home") },
    { to: "/services", label: t("nav.services") },
  ];
  if (user?.kind === "staff") {
    items.push({ to: "/workbench", label: t("nav.workbench") });
    if (user.roles.includes("admin")) items.push({ to: "/admin", label: t("nav.admin") });
  } else if (user) {
    items.push({ to: "/me", label: t("nav.me") });
  }
  return items;
}

export function Header() {
  const { t } = useTranslation();
  const { user } = useSession();
  const { region } = useRegion();
  const navigate = useNavigate();
  const { signOut } = useSignOut();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const navItems = useNavItems(user);

  return (
    <header>
      <div className="tb-topbar">
        <div className="tb-container">
          <span className="tb-only-desktop">
            {region ? t("app.regionPortal", { region: region.name }) : t("app.fullName")} · {t("footer.hours")}
          </span>
          <Flex align="center" gap={12} wrap>
            <LanguageSwitch />
            <Link to="/accessibility" className="tb-only-desktop">
              {t("nav.accessibility")}
            </Link>
          </Flex>
        </div>
      </div>
      <div className="tb-mainbar">
        <div className="tb-container">
          <Link to="/" className="tb-brand" aria-label={`${t("app.fullName")} - ${t("nav.home")}`}>
            <span className="tb-logo" aria-hidden>
              通
            </span>
            <span className="tb-brand-text">
              <span className="tb-brand-name">{t("app.name")}</span>
              <span className="tb-brand-sub">{t("app.tagline")}</span>
            </span>
          </Link>
          <RegionSwitch />
          <nav className="tb-nav tb-only-desktop" aria-label={t("a11y.mainNav")}>
            {navItems.map((item) => (
              <NavLink key={item.to} to={item.to} end={item.to === "/"} className="tb-nav-link">
                {item.label}
              </NavLink>
            ))}
          </nav>
          <div className="tb-only-desktop">
            {user ? (
              <Dropdown
                autoFocus
                trigger={["click"]}
                menu={{
                  items: [
                    ...navItems.slice(2).map((item) => ({ key: item.to, label: item.label })),
                    { type: "divider" as const },
                    { key: "logout", label: t("common.logout"), icon: <LogoutOutlined /> },
                  ],
                  onClick: ({ key }) => (key === "logout" ? signOut() : void navigate(key)),
                }}
              >
                <button
                  type="button"
                  className="tb-hbtn tb-hbtn-outline"
                  aria-label={t("a11y.userMenu", { name: user.name })}
                >
                  <UserOutlined aria-hidden /> {user.name} <DownOutlined aria-hidden />
                </button>
              </Dropdown>
            ) : (
              <Flex gap={8}>
                <Link to="/login" className="tb-hbtn tb-hbtn-solid">
                  {t("common.login")}
                </Link>
                <Link to="/register" className="tb-hbtn tb-hbtn-outline">
                  {t("common.register")}
                </Link>
              </Flex>
            )}
          </div>
          <button
            type="button"
            className="tb-hbtn tb-hbtn-outline tb-hbtn-icon tb-only-mobile tb-menu-button"
            aria-label={t("a11y.openMenu")}
            aria-expanded={drawerOpen}
            onClick={() => setDrawerOpen(true)}
          >
            <MenuOutlined aria-hidden />
          </button>
        </div>
      </div>
      <Drawer
        title={t("a11y.menu")}
        placement="right"
        size={300}
        open={drawerOpen}
        onClose={() => setDrawerOpen(false)}
      >
        <nav aria-label={t("a11y.mainNav")}>
          <ul className="tb-drawer-list">
            {navItems.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.to === "/"} onClick={() => setDrawerOpen(false)}>
                  {item.label}
                </NavLink>
              </li>
            ))}
            <li>
              <NavLink to="/accessibility" onClick={() => setDrawerOpen(false)}>
                {t("nav.accessibility")}
              </NavLink>
            </li>
          </ul>
        </nav>
        {user ? (
          <Flex vertical gap={8}>
            <div>{t("header.hello", { name: user.name })}</div>
            <Button
              icon={<LogoutOutlined />}
              onClick={() => {
                setDrawerOpen(false);
                signOut();
              }}
            >
              {t("common.logout")}
            </Button>
          </Flex>
        ) : (
          <Flex vertical gap={8}>
            <Button
              type="primary"
              onClick={() => {
                setDrawerOpen(false);
                void navigate("/login");
              }}
            >
              {t("common.login")}
            </Button>
            <Button
              onClick={() => {
                setDrawerOpen(false);
                void navigate("/register");
              }}
            >
              {t("common.register")}
            </Button>
          </Flex>
        )}
      </Drawer>
    </header>
  );
}
