import { describe, expect, it } from "vitest";
import { maskValue } from "./masking.ts";

describe("masking", () => {
  it("keeps the first and last four characters of an ID number", () => {
    expect(maskValue("350102199003150221", "id_number")).toBe("3501**********0221");
    expect(maskValue("35010219900315022X", "id_number")).toBe("3501**********022X");
  });

  it("keeps only the first character of a name", () => {
    expect(maskValue("张伟", "name")).toBe("张*");
    expect(maskValue("林晓燕", "name")).toBe("林**");
    expect(maskValue("欧阳娜娜", "name")).toBe("欧***");
    expect(maskValue("李", "name")).toBe("*");
  });

  it("keeps three digits in front and four behind of a phone number", () => {
    expect(maskValue("13812341234", "phone")).toBe("138****1234");
    expect(maskValue("1234567", "phone")).toBe("*******");
  });

  it("keeps an address up to its district", () => {
    expect(maskValue("福建省福州市鼓楼区五四路128号3单元502", "address")).toBe("福建省福州市鼓楼区****");
    expect(maskValue("重庆市渝中区解放碑民族路88号", "address")).toBe("重庆市渝中区****");
    expect(maskValue("某地某街道", "address")).toBe("某地****");
  });

  it("keeps the year of a birth date", () => {
    expect(maskValue("1990-03-15", "birth_date")).toBe("1990-**-**");
    expect(maskValue("unknown", "birth_date")).toBe("******");
  });

  it("hides values whole, whatever their type or length", () => {
    expect(maskValue(8650, "hidden")).toBe("******");
    expect(maskValue("x", "hidden")).toBe("******");
    expect(maskValue(true, "hidden")).toBe("******");
  });

  it("keeps the ends for partial masking", () => {
    expect(maskValue("闽A12345", "partial")).toBe("闽*****5");
    expect(maskValue("ab", "partial")).toBe("a*");
  });

  it("leaves null and unmasked values alone", () => {
    expect(maskValue(null, "id_number")).toBeNull();
    expect(maskValue("汉族", "none")).toBe("汉族");
    expect(maskValue(42, "none")).toBe(42);
  });
});
