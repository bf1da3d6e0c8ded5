import type { Department } from "@tongban/contracts";
import type { SelectHTMLAttributes } from "react";
import { currentLanguage } from "../i18n/index.ts";
import { NativeSelect } from "./NativeSelect.tsx";

type Named = Pick<Department, "name" | "nameEn">;

/** A department's name in the reader's language: the English one in the English interface when there is one. */
export function departmentLabel(department: Named): string {
  return currentLanguage() === "en" && department.nameEn ? department.nameEn : department.name;
}

/**
 * The one department picker of the console: a native select of a region's departments, for a form
 * field (with a placeholder) or a filter (with an "all departments" first option, value "").
 */
export function DepartmentSelect({
  departments,
  allLabel,
  placeholder,
  ...props
}: Omit<SelectHTMLAttributes<HTMLSelectElement>, "children"> & {
  departments: readonly Department[];
  /** For a filter: the label of the empty choice that means every department. */
  allLabel?: string;
  /** For a form field: shown while nothing is chosen. */
  placeholder?: string;
}) {
  return (
    <NativeSelect
      {...props}
      placeholder={placeholder}
      options={[
        ...(allLabel === undefined ? [] : [{ value: "", label: allLabel }]),
        ...departments.map((d) => ({ value: d.id, label: departmentLabel(d) })),
      ]}
    />
  );
}
