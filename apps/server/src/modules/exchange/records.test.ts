import { describe, expect, it } from "vitest";
import { ProviderError } from "./connectors.ts";
import { checkRecords } from "./records.ts";

const fields = [
  { name: "idNumber", type: "id_number" as const },
  { name: "name", type: "string" as const },
  { name: "registeredOn", type: "date" as const },
  { name: "months", type: "integer" as const },
];
const key = "350102199003150221";

function problem(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return String((error as ProviderError).detail.problem);
  }
  throw new Error("no error");
}

describe("checking a source's answer", () => {
  it("keeps the asked-for fields, drops the rest and fills the missing with null", () => {
    const records = checkRecords(
      fields,
      [{ idNumber: key, name: "林晓燕", registeredOn: "2008-09-01", secret: "dropped" }],
      { limit: 5, keyField: "idNumber", key },
    );
    expect(records).toEqual([{ idNumber: key, name: "林晓燕", registeredOn: "2008-09-01", months: null }]);
  });

  it("refuses values of the wrong type", () => {
    expect(problem(() => checkRecords(fields, [{ months: "12" }], { limit: 5 }))).toBe(
      "record 0: months is not a valid integer",
    );
    expect(problem(() => checkRecords(fields, [{ registeredOn: "1/9/2008" }], { limit: 5 }))).toContain("date");
    expect(problem(() => checkRecords(fields, [{ idNumber: "12345" }], { limit: 5 }))).toContain("id_number");
  });

  it("refuses records that are not objects, too many records, and records about someone else", () => {
    expect(problem(() => checkRecords(fields, ["x"], { limit: 5 }))).toBe("record 0 is not an object");
    expect(problem(() => checkRecords(fields, [{}, {}], { limit: 1 }))).toContain("at most 1");
    expect(
      problem(() =>
        checkRecords(fields, [{ idNumber: "350104198511020378" }], { limit: 5, keyField: "idNumber", key }),
      ),
    ).toContain("another key");
  });
});
