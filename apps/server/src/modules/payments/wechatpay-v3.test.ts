import { describe, expect, it } from "vitest";
import { memoryKeyStore } from "../../ports/index.ts";
import { GatewayUnavailable } from "./gateway.ts";
import { createSandboxGateway } from "./sandbox.ts";
import { sandboxCredentials, sandboxGatewayClient, sandboxOptions } from "./sandbox-launch.ts";
import {
  authorization,
  decryptResource,
  encryptResource,
  formatBill,
  generateRsaKeyPair,
  parseAuthorization,
  parseBill,
  privateKeyOf,
  publicKeyOf,
  signAnswer,
  verifyAnswer,
  verifyRequest,
} from "./wechatpay-v3.ts";

const merchant = generateRsaKeyPair();
const platform = generateRsaKeyPair();
const now = new Date("2026-11-30T01:00:00Z");

describe("WeChat Pay API v3 signatures", () => {
  it("signs a request that the gateway verifies, and refuses it once altered or stale", () => {
    const header = authorization({
      mchid: "1900000109",
      serialNo: "ABC",
      key: privateKeyOf(merchant.privateKeyPem),
      method: "POST",
      url: "/v3/pay/transactions/h5",
      body: '{"a":1}',
      timestamp: now.getTime() / 1000,
    });
    const auth = parseAuthorization(header);
    expect(auth).toMatchObject({ mchid: "1900000109", serialNo: "ABC" });
    const key = publicKeyOf(merchant.publicKeyPem);
    const request = { method: "POST", url: "/v3/pay/transactions/h5", body: '{"a":1}' };
    expect(verifyRequest(auth as NonNullable<typeof auth>, request, key, now)).toBe(true);
    expect(verifyRequest(auth as NonNullable<typeof auth>, { ...request, body: '{"a":2}' }, key, now)).toBe(false);
    expect(verifyRequest(auth as NonNullable<typeof auth>, request, key, new Date(now.getTime() + 600_000))).toBe(
      false,
    );
    expect(parseAuthorization("Bearer x")).toBeUndefined();
  });

  it("verifies an answer's signature over the raw body with the platform key named by its serial", () => {
    const body = '{"trade_state":"SUCCESS"}';
    const headers = signAnswer(body, privateKeyOf(platform.privateKeyPem), "PUB_1", now);
    const key = { serial: "PUB_1", key: publicKeyOf(platform.publicKeyPem) };
    expect(verifyAnswer({ ...headers }, body, key, now)).toEqual({ ok: true });
    expect(verifyAnswer({ ...headers }, body.replace("SUCCESS", "CLOSED"), key, now)).toMatchObject({
      reason: "bad_signature",
    });
    expect(verifyAnswer({ ...headers, "wechatpay-serial": "PUB_2" }, body, key, now)).toMatchObject({
      reason: "unknown_serial",
    });
    expect(verifyAnswer({}, body, key, now)).toMatchObject({ reason: "unsigned" });
  });

  it("encrypts and decrypts a notification resource (AEAD_AES_256_GCM); an altered one does not open", () => {
    const key = "0123456789abcdefghijklmnopqrstuv";
    const resource = encryptResource({ out_trade_no: "TB1" }, key, "transaction");
    expect(decryptResource(resource, key)).toEqual({ out_trade_no: "TB1" });
    expect(decryptResource({ ...resource, associated_data: "refund" }, key)).toBeUndefined();
    expect(decryptResource(resource, "0123456789abcdefghijklmnopqrstuw")).toBeUndefined();
  });

  it("writes and reads the trade bill", () => {
    const lines = [
      {
        time: "2026-11-30 09:00:00",
        transactionId: "4200",
        outTradeNo: "TB1",
        tradeState: "SUCCESS" as const,
        totalFen: 30_000,
        refundId: "",
        outRefundNo: "",
        refundFen: 0,
        refundStatus: "",
        description: "学历公证, 办件",
      },
    ];
    const parsed = parseBill(formatBill(lines, { appid: "wx", mchid: "19" }));
    expect(parsed).toEqual([{ ...lines[0], description: "学历公证， 办件" }]);
    expect(() => parseBill("a,b\n1,2")).toThrow(/no column/);
  });
});

describe("the adapter against the sandbox over HTTP", () => {
  it("places and queries an order; an answer signed by another key is not believed", async () => {
    const keys = memoryKeyStore();
    const sandbox = createSandboxGateway(sandboxOptions(keys, { dropNotifications: true }));
    const url = await sandbox.listen(0);
    try {
      const client = sandboxGatewayClient(keys, url);
      const { payUrl } = await client.createOrder({
        outTradeNo: "TB20261130TEST01",
        description: "学历公证",
        amountFen: 100,
        notifyUrl: "http://127.0.0.1:1/notify",
        returnUrl: "http://127.0.0.1/back",
        expiresAt: new Date(Date.now() + 600_000),
      });
      expect(new URL(payUrl).searchParams.get("redirect_url")).toBe("http://127.0.0.1/back");
      expect(await client.queryOrder("TB20261130TEST01")).toMatchObject({ state: "NOTPAY", amountFen: 100 });
      expect(await client.queryOrder("TB-NONE-000")).toEqual({ state: "NOT_FOUND" });
      sandbox.pay("TB20261130TEST01");
      expect(await client.queryOrder("TB20261130TEST01")).toMatchObject({ state: "SUCCESS" });
      const refund = await client
        .refund({
          outTradeNo: "TB20261130TEST01",
          outRefundNo: "RF1",
          refundFen: 150,
          totalFen: 100,
          reason: "多退",
          notifyUrl: "http://127.0.0.1:1/notify",
        })
        .catch((error: Error) => error);
      expect(String(refund)).toMatch(/INVALID_REQUEST/);
      const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
      expect((await client.tradeBill(day)).map((l) => l.outTradeNo)).toEqual(["TB20261130TEST01"]);

      // The same sandbox answering with a platform key the merchant does not hold.
      const impostorKeys = memoryKeyStore();
      const credentials = sandboxCredentials(keys);
      impostorKeys.getOrCreate("payment-sandbox-merchant-key", () => JSON.stringify(credentials.merchant));
      impostorKeys.getOrCreate("payment-sandbox-apiv3-key", () => credentials.apiV3Key);
      const impostor = createSandboxGateway(sandboxOptions(impostorKeys));
      const impostorUrl = await impostor.listen(0);
      await expect(sandboxGatewayClient(keys, impostorUrl).queryOrder("TB20261130TEST01")).rejects.toBeInstanceOf(
        GatewayUnavailable,
      );
      await impostor.close();
    } finally {
      await sandbox.close();
    }
  });
});
