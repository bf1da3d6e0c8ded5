import { checkIdNumber } from "@tongban/contracts";
import { describe, expect, it } from "vitest";
import { demoResidents, makeIdNumber } from "../seed/demo-world.ts";
import { demoProviders } from "./records.ts";

describe("the demo department systems' records", () => {
  it("hold every demo resident's identity and household registration in their home city, by the same ID number", () => {
    const security = demoProviders.gongan.records();
    for (const resident of demoResidents) {
      const idNumber = makeIdNumber(resident.region, resident.birth, resident.seq);
      const home = security[resident.home];
      expect(
        home?.resident_identity?.find((r) => r.idNumber === idNumber),
        resident.name,
      ).toMatchObject({
        name: resident.name,
        birthDate: resident.birth,
      });
      expect(
        home?.household_registration?.find((r) => r.idNumber === idNumber),
        resident.name,
      ).toMatchObject({
        name: resident.name,
      });
      const insured = demoProviders.renshe.records()[resident.home]?.insurance_record;
      expect(
        insured?.some((r) => r.idNumber === idNumber),
        resident.name,
      ).toBe(true);
      const degrees = demoProviders.jiaoyu.records()[resident.home]?.degree_record;
      expect(
        degrees?.some((r) => r.idNumber === idNumber),
        resident.name,
      ).toBe(true);
    }
  });

  it("use only valid ID numbers, and record each marriage for both spouses", () => {
    for (const provider of Object.values(demoProviders)) {
      for (const datasets of Object.values(provider.records())) {
        for (const records of Object.values(datasets)) {
          for (const record of records) {
            for (const value of [record.idNumber, record.spouseIdNumber]) {
              if (value !== undefined) expect(checkIdNumber(String(value)).ok, String(value)).toBe(true);
            }
          }
        }
      }
    }
    for (const records of Object.values(demoProviders.minzheng.records())) {
      for (const record of records.marriage_record ?? []) {
        const other = records.marriage_record?.find((r) => r.idNumber === record.spouseIdNumber);
        expect(other?.spouseIdNumber).toBe(record.idNumber);
      }
    }
  });
});
