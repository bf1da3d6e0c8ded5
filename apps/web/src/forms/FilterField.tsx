import { type ReactNode, useId } from "react";

/** One labelled filter of a list page; the control gets the id its label points at. */
export function FilterField({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="tb-filter">
      <label htmlFor={id} className="tb-filter-label">
        {label}
      </label>
      {children(id)}
    </div>
  );
}
