import { describe, expect, it } from "vitest";
import { helmetHeaders } from "./security-headers.ts";

describe("helmetHeaders", () => {
  it("asks Helmet once for the headers of the options given", () => {
    const { set, remove } = helmetHeaders({
      contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", "data:"] } },
    });
    expect(set["content-security-policy"]).toContain("img-src 'self' data:");
    expect(set["x-content-type-options"]).toBe("nosniff");
    expect(set["x-powered-by"]).toBeUndefined();
    expect(remove).toContain("x-powered-by");
    expect(helmetHeaders({ xFrameOptions: { action: "deny" } }).set["x-frame-options"]).toBe("DENY");
  });

  it("refuses a directive computed per request", () => {
    expect(() =>
      helmetHeaders({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", () => "'nonce-abc'"] } } }),
    ).toThrow(/scriptSrc is computed per request/);
  });
});
