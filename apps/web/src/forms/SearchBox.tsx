import { SearchOutlined } from "@ant-design/icons";
import { Button, Flex, Input } from "antd";
import { type FormEvent, useEffect, useId, useState } from "react";
import { useTranslation } from "react-i18next";

/**
 * A labelled search form inside a `<search>` landmark: the text is a draft until submitted, and follows
 * `value` when it changes from outside (e.g. the URL).
 */
export function SearchBox(props: {
  value: string;
  label: string;
  placeholder: string;
  onSearch: (text: string) => void;
  className?: string;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [draft, setDraft] = useState(props.value);
  useEffect(() => setDraft(props.value), [props.value]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSearch(draft.trim());
  };
  return (
    <search>
      <form onSubmit={submit} className={props.className}>
        <label htmlFor={id} className="tb-filter-label">
          {props.label}
        </label>
        <Flex gap={8}>
          <Input
            id={id}
            type="search"
            value={draft}
            maxLength={50}
            placeholder={props.placeholder}
            onChange={(event) => setDraft(event.target.value)}
          />
          <Button type="primary" htmlType="submit" icon={<SearchOutlined aria-hidden />}>
            {t("common.search")}
          </Button>
        </Flex>
      </form>
    </search>
  );
}
