import { Checkbox } from "antd";
import type { ReactNode } from "react";

/**
 * A multiple choice as labelled checkboxes in a fieldset. Form.Item hands its child aria-required,
 * which a group of checkboxes may not carry (ARIA allows it on inputs, not on a group), so it is not
 * passed on; the legend names the group (and says when a choice is required) instead.
 */
export function CheckboxFieldset<T extends string>({
  legend,
  options,
  value,
  onChange,
  id,
  vertical = false,
}: {
  legend: string;
  options: readonly { value: T; label: ReactNode }[];
  value?: T[];
  onChange?: (value: T[]) => void;
  id?: string;
  /** One option per line, for options with a description. */
  vertical?: boolean;
}) {
  return (
    <fieldset id={id} className="tb-fieldset">
      <legend className="tb-visually-hidden">{legend}</legend>
      <Checkbox.Group
        className={vertical ? "tb-role-options" : "tb-choice-options"}
        value={value}
        onChange={(next) => onChange?.(next as T[])}
      >
        {options.map((option) => (
          <Checkbox key={option.value} value={option.value}>
            {option.label}
          </Checkbox>
        ))}
      </Checkbox.Group>
    </fieldset>
  );
}
