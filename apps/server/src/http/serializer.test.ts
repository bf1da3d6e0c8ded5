import Fastify from "fastify";
import { validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { forSerializer, responseSerializerCompiler } from "./serializer.ts";

const Status = z.enum(["draft", "submitted"]);
const Answer = z.object({
  id: z.string(),
  status: Status,
  holder: Status.nullable(),
  note: z.string().nullable(),
  count: z.number().int(),
  at: z.iso.datetime(),
  supplement: z.object({ reason: z.string(), due: z.string().nullable() }).nullable(),
  items: z.array(z.object({ code: z.string(), size: z.number() })),
  form: z.record(z.string(), z.unknown()),
  event: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("paid"), amount: z.number() }),
    z.object({ kind: z.literal("refunded"), reason: z.string() }),
  ]),
});

async function appWith(check: boolean, answer: unknown) {
  const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler({ check }));
  app.get("/answer", { schema: { response: { 200: Answer } } }, async () => answer as z.infer<typeof Answer>);
  await app.ready();
  return app;
}

const good = {
  id: "a1",
  status: "submitted",
  holder: null,
  note: "第一次",
  count: 3,
  at: "2026-11-29T12:00:00.000Z",
  supplement: { reason: "照片不清晰", due: null },
  items: [{ code: "photo", size: 70 }],
  form: { partnerName: "陈美玲", nested: { deep: [1, "二"] } },
  event: { kind: "refunded", reason: "重复缴费" },
};

describe("responses written from the route's schema", () => {
  it("writes what zod would, field for field, nulls, records and unions included", async () => {
    for (const check of [false, true]) {
      const app = await appWith(check, good);
      const response = await app.inject({ method: "GET", url: "/answer" });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(z.encode(Answer, good as z.infer<typeof Answer>));
      const other = await appWith(check, { ...good, supplement: null, holder: "draft", note: null });
      expect((await other.inject({ method: "GET", url: "/answer" })).json()).toMatchObject({
        supplement: null,
        holder: "draft",
        note: null,
      });
    }
  });

  it("never writes a field the schema does not name, at any depth", async () => {
    const leaky = {
      ...good,
      passwordHash: "secret",
      supplement: { reason: "照片不清晰", due: null, internalNote: "secret" },
      items: [{ code: "photo", size: 70, storagePath: "/secret" }],
      event: { kind: "paid", amount: 5, cardNumber: "secret" },
    };
    for (const check of [false, true]) {
      const app = await appWith(check, leaky);
      const response = await app.inject({ method: "GET", url: "/answer" });
      expect(response.statusCode).toBe(200);
      expect(response.body).not.toContain("secret");
      expect(response.json().event).toEqual({ kind: "paid", amount: 5 });
    }
  });

  it("with checking on, an answer of the wrong shape is a 500; without, the serializer coerces it", async () => {
    const wrong = { ...good, count: "3" };
    const checked = await (await appWith(true, wrong)).inject({ method: "GET", url: "/answer" });
    expect(checked.statusCode).toBe(500);
    const unchecked = await (await appWith(false, wrong)).inject({ method: "GET", url: "/answer" });
    expect(unchecked.statusCode).toBe(200);
    expect(unchecked.json().count).toBe(3);
  });
});

describe("forSerializer", () => {
  it("turns a nullable into a type list, leaves real unions alone and lets objects carry more", () => {
    expect(forSerializer({ anyOf: [{ type: "string", enum: ["a", "b"] }, { type: "null" }] })).toEqual({
      type: ["string", "null"],
      enum: ["a", "b", null],
    });
    expect(forSerializer({ anyOf: [{ type: "null" }, { type: "object", properties: { x: {} } }] })).toEqual({
      type: ["object", "null"],
      properties: { x: {} },
    });
    const union = { anyOf: [{ type: "string" }, { type: "number" }] };
    expect(forSerializer(union)).toEqual(union);
    const nullableUnion = { anyOf: [{ anyOf: [{ type: "string" }, { type: "number" }] }, { type: "null" }] };
    expect(forSerializer(nullableUnion)).toEqual(nullableUnion);
    expect(forSerializer({ type: "object", properties: {}, additionalProperties: false })).toEqual({
      type: "object",
      properties: {},
    });
  });
});
