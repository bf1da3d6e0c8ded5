import type { SelectHTMLAttributes } from "react";

export interface NativeSelectOption {
  value: string;
  label: string;
}

/**
 * A plain <select>, styled like antd's inputs. antd's Select renders an unnamed role=listbox
 * (an axe "aria-input-field-name" violation) and is awkward with screen readers on phones; the
 * native control has neither problem and opens the platform's own picker.
 */
export function NativeSelect({
  options,
  placeholder,
  className,
  ...props
}: Omit<SelectHTMLAttributes<HTMLSelectElement>, "children"> & {
  options: NativeSelectOption[];
  /** Shown while nothing is chosen; not selectable again. */
  placeholder?: string;
}) {
  return (
    <select {...props} value={props.value ?? ""} className={`tb-select ${className ?? ""}`}>
      {placeholder !== undefined && (
        <option value="" disabled>
          {placeholder}
        </option>
      )}
      {options.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  );
}
