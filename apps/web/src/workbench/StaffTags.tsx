import type { Classification, StaffRole } from "@tongban/contracts";
import { Tag } from "antd";
import { useTranslation } from "react-i18next";

// Tag colours are fixed here (dark text on a pale fill) because antd's preset tag colours
// fall below 4.5:1 for some hues.
const clearanceStyle: Record<Classification, { color: string; background: string; border: string }> = {
  public: { color: "#2b5a1e", background: "#eef7e8", border: "#b7d8a6" },
  internal: { color: "#0e3a78", background: "#e8eef8", border: "#a9bfe0" },
  secret: { color: "#7a4300", background: "#fdf2e1", border: "#e6c28f" },
  confidential: { color: "#8f1118", background: "#fcebec", border: "#e8a9ad" },
};

export function ClearanceTag({ value }: { value: Classification }) {
  const { t } = useTranslation();
  const style = clearanceStyle[value];
  return (
    <Tag style={{ color: style.color, background: style.background, borderColor: style.border }}>
      {t(`clearance.${value}`)}
    </Tag>
  );
}

export function RoleTags({ roles }: { roles: readonly StaffRole[] }) {
  const { t } = useTranslation();
  return (
    <span className="tb-tags">
      {roles.map((role) => (
        <Tag key={role} className="tb-role-tag">
          {t(`role.${role}`)}
        </Tag>
      ))}
    </span>
  );
}
