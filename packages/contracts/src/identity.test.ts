import { describe, expect, it } from "vitest";
import { checkCreditCode, checkIdNumber, creditCodeCheckCharacter, idNumberCheckCharacter } from "./identity.ts";
import { isPlausibleRegionCode, lookupRegion } from "./regions.ts";

const reason = (result: { ok: boolean; problem?: { reason: string } }) => (result.ok ? "OK" : result.problem?.reason);

describe("resident ID number (GB 11643)", () => {
  it("accepts the standard's example and reads its facts", () => {
    const result = checkIdNumber("11010519491231002X");
    expect(result).toMatchObject({ ok: true, facts: { regionCode: "110105", birthDate: "1949-12-31", sex: "female" } });
  });

  it("accepts a lower-case x and surrounding spaces", () => {
    expect(checkIdNumber(" 11010519491231002x ")).toMatchObject({ ok: true, value: "11010519491231002X" });
  });

  it("names each failure separately", () => {
    expect(reason(checkIdNumber("1101051949123100"))).toBe("ID_FORMAT");
    expect(reason(checkIdNumber("11010519491231002Y"))).toBe("ID_FORMAT");
    expect(reason(checkIdNumber("99010519491231002X"))).toBe("ID_REGION");
    expect(reason(checkIdNumber("110105194902300021"))).toBe("ID_BIRTH_DATE");
    expect(reason(checkIdNumber("110105189912310021"))).toBe("ID_BIRTH_DATE");
    expect(reason(checkIdNumber("110105194912310021"))).toBe("ID_CHECK_DIGIT");
  });

  it("refuses a birth date in the future", () => {
    const first17 = "11010520991231002";
    expect(reason(checkIdNumber(first17 + idNumberCheckCharacter(first17), new Date("2026-11-28")))).toBe(
      "ID_BIRTH_DATE",
    );
  });

  it("accepts an abolished county code while its prefecture exists", () => {
    // 350103 (台江区) and 350111 (晋安区) are current; 350199 never was, but 3501 (福州市) is.
    expect(isPlausibleRegionCode("350199")).toBe(true);
    expect(isPlausibleRegionCode("990000")).toBe(false);
  });
});

describe("unified social credit code (GB 32100)", () => {
  it("accepts real codes", () => {
    expect(checkCreditCode("91350100M000100Y43")).toMatchObject({ ok: true, regionCode: "350100" });
    expect(checkCreditCode("91110108551385082q")).toMatchObject({ ok: true, value: "91110108551385082Q" });
  });

  it("names each failure separately", () => {
    expect(reason(checkCreditCode("91350100M000100Y4"))).toBe("CREDIT_CODE_FORMAT");
    expect(reason(checkCreditCode("91350100M000100I43"))).toBe("CREDIT_CODE_FORMAT");
    expect(reason(checkCreditCode("9199XX00M000100Y43"))).toBe("CREDIT_CODE_REGION");
    expect(reason(checkCreditCode("91350100M000100Y44"))).toBe("CREDIT_CODE_CHECK");
  });

  it("computes the check character so that every valid body gets one", () => {
    const body = "91610500MA6Y2K3L0";
    expect(checkCreditCode(body + creditCodeCheckCharacter(body)).ok).toBe(true);
  });
});

describe("region codes (GB/T 2260)", () => {
  it("finds the three demo regions with their full names", () => {
    expect(lookupRegion("350100")).toMatchObject({ name: "福州市", level: "prefecture", path: ["福建省", "福州市"] });
    expect(lookupRegion("610500")).toMatchObject({ name: "渭南市", level: "prefecture" });
    expect(lookupRegion("500000")).toMatchObject({ name: "重庆市", level: "province" });
    expect(lookupRegion("500103")).toMatchObject({ name: "渝中区", path: ["重庆市", "渝中区"] });
  });
  it("answers nothing for unknown codes", () => {
    expect(lookupRegion("999999")).toBeUndefined();
  });
});
