import { DownOutlined, EnvironmentOutlined } from "@ant-design/icons";
import { Dropdown } from "antd";
import { useTranslation } from "react-i18next";
import { useRegion } from "../region.tsx";

export function RegionSwitch({ onSwitched }: { onSwitched?: () => void }) {
  const { t } = useTranslation();
  const { regions, region, setRegion } = useRegion();
  if (!region) return null;
  return (
    // autoFocus moves focus into the menu on opening, so the arrow keys work for keyboard users.
    <Dropdown
      autoFocus
      trigger={["click"]}
      menu={{
        selectable: true,
        selectedKeys: [region.code],
        items: regions.map((r) => ({ key: r.code, label: r.name })),
        onClick: ({ key }) => {
          setRegion(key);
          onSwitched?.();
        },
      }}
    >
      <button
        type="button"
        className="tb-hbtn tb-hbtn-outline"
        aria-label={`${t("a11y.switchRegion")}: ${region.name}`}
      >
        <EnvironmentOutlined aria-hidden /> {region.name} <DownOutlined aria-hidden />
      </button>
    </Dropdown>
  );
}
