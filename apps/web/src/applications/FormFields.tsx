import type { FieldHint, ServiceForm } from "@tongban/contracts";
import { Checkbox, Form, Input, InputNumber, Radio } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { NativeSelect } from "../forms/NativeSelect.tsx";
import { currentLanguage } from "../i18n/index.ts";

interface PropertySchema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  maxLength?: number;
  items?: { enum?: unknown[] };
}

/** A field's label in the reader's language, falling back to Simplified Chinese. */
export function fieldLabel(hint: FieldHint | undefined, name: string): string {
  if (!hint) return name;
  return hint.label[currentLanguage()] ?? hint.label["zh-Hans"];
}

function optionsOf(values: unknown[] | undefined, hint: FieldHint | undefined) {
  return (values ?? []).map((value) => ({
    value: String(value),
    label: hint?.options?.[String(value)] ?? String(value),
  }));
}

/** The message group of a field's server reasons, so an ID number reads like everywhere else. */
export function messageGroup(form: ServiceForm, name: string): string {
  const hint = form.ui.fields[name];
  const schema = form.schema.properties[name] as PropertySchema | undefined;
  if (hint?.widget === "id-number" || schema?.format === "id-number") return "idNumber";
  if (hint?.widget === "phone" || schema?.format === "cn-mobile") return "phone";
  return "any";
}

/** Form values as the schema wants them: booleans and numbers restored, empty answers left out. */
export function toFormData(form: ServiceForm, values: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const name of form.ui.order) {
    const value = values[name];
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value) && value.length === 0) continue;
    const schema = form.schema.properties[name] as PropertySchema | undefined;
    if (schema?.type === "boolean" && typeof value === "string") data[name] = value === "true";
    else if ((schema?.type === "integer" || schema?.type === "number") && typeof value === "string")
      data[name] = Number(value);
    else data[name] = value;
  }
  return data;
}

/** Stored answers as the controls hold them (booleans as "true"/"false" for the radio group). */
export function toFormValues(form: ServiceForm, data: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const name of form.ui.order) {
    const value = data[name];
    if (value === undefined) continue;
    values[name] = typeof value === "boolean" ? String(value) : value;
  }
  return values;
}

/** The form of a service item, generated from its JSON Schema and UI hints. */
export function FormFields({ form, disabled }: { form: ServiceForm; disabled?: boolean }) {
  const { t } = useTranslation();
  const required = new Set(form.schema.required ?? []);
  return (
    <>
      {form.ui.order.map((name) => {
        const hint = form.ui.fields[name];
        const schema = (form.schema.properties[name] ?? {}) as PropertySchema;
        const label = fieldLabel(hint, name);
        const isRequired = required.has(name);
        const common = { disabled, "aria-required": isRequired || undefined };
        let control: ReactNode;
        const widget = hint?.widget;
        if (schema.type === "boolean") {
          control = (
            <Radio.Group
              {...common}
              options={[
                { value: "true", label: hint?.options?.true ?? t("application.yes") },
                { value: "false", label: hint?.options?.false ?? t("application.no") },
              ]}
            />
          );
        } else if (schema.type === "array" && schema.items?.enum) {
          control = <Checkbox.Group disabled={disabled} options={optionsOf(schema.items.enum, hint)} />;
        } else if (schema.enum && widget === "radio") {
          control = <Radio.Group {...common} options={optionsOf(schema.enum, hint)} />;
        } else if (schema.enum) {
          control = <NativeSelect {...common} placeholder="" options={optionsOf(schema.enum, hint)} />;
        } else if (widget === "textarea") {
          control = <Input.TextArea {...common} rows={4} maxLength={schema.maxLength} showCount={!!schema.maxLength} />;
        } else if (widget === "date" || schema.format === "date") {
          control = <Input {...common} type="date" />;
        } else if (widget === "number" || schema.type === "integer" || schema.type === "number") {
          control = <InputNumber {...common} style={{ width: "100%" }} />;
        } else if (widget === "id-number" || schema.format === "id-number") {
          control = <Input {...common} maxLength={18} autoComplete="off" spellCheck={false} />;
        } else if (widget === "phone" || schema.format === "cn-mobile") {
          control = <Input {...common} type="tel" inputMode="numeric" maxLength={11} autoComplete="tel" />;
        } else {
          control = <Input {...common} maxLength={schema.maxLength} placeholder={hint?.placeholder} />;
        }
        return (
          <Form.Item key={name} name={name} label={label} required={isRequired} extra={hint?.help}>
            {control}
          </Form.Item>
        );
      })}
    </>
  );
}
