import fastJson from "fast-json-stringify";
import type { FastifySerializerCompiler } from "fastify/types/schema.js";
import { ResponseSerializationError } from "fastify-type-provider-zod";
import { z } from "zod";
import { $ZodType } from "zod/v4/core";

type JsonSchema = Record<string, unknown>;

/**
 * Answers are written by a serializer compiled once per route from the route's zod response schema
 * (turned into JSON Schema, as the OpenAPI document is): it writes the declared fields and nothing
 * else, so a field the schema does not name never leaves the server. zod checking every answer and
 * then `JSON.stringify` cost a case read 34 µs; the compiled serializer 7 µs (docs/performance.md).
 *
 * With `check` (CHECK_RESPONSES=true; the tests run so) every answer is also checked against its zod
 * schema first, and one that does not match is a 500 naming the route, as before: a wrong type is
 * caught where it is made instead of being written as the serializer would coerce it.
 */
export function responseSerializerCompiler(options: { check: boolean }): FastifySerializerCompiler<unknown> {
  return ({ schema: maybeSchema, method, url }) => {
    const schema = zodSchemaOf(maybeSchema);
    const write = fastJson(forSerializer(z.toJSONSchema(schema, { io: "output", target: "draft-7" })) as never);
    if (!options.check) return (data) => write(data);
    return (data) => {
      const result = z.safeEncode(schema, data);
      if (result.error) throw new ResponseSerializationError(method, url, { cause: result.error });
      return write(data);
    };
  };
}

function zodSchemaOf(maybeSchema: unknown): z.ZodType {
  if (maybeSchema instanceof $ZodType) return maybeSchema as z.ZodType;
  const properties = (maybeSchema as { properties?: unknown } | undefined)?.properties;
  if (properties instanceof $ZodType) return properties as z.ZodType;
  throw new Error(`A response schema must be a zod schema: ${JSON.stringify(maybeSchema)}`);
}

/**
 * The JSON Schema zod makes, as the serializer needs it:
 * - zod writes a nullable field as `anyOf: [T, {type: "null"}]`, for which fast-json-stringify runs a
 *   validator on every value to choose the branch; `type: [T, "null"]` says the same and is written
 *   directly (the enum, if any, takes null too);
 * - `additionalProperties: false` goes: the serializer writes only the properties an object declares
 *   either way, but in a union it would make a branch refuse an object that carries one more field,
 *   where zod picks the branch and drops the field.
 */
export function forSerializer(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forSerializer);
  if (node === null || typeof node !== "object") return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "additionalProperties" && value === false) continue;
    out[key] = forSerializer(value);
  }
  const branches = out.anyOf;
  if (!Array.isArray(branches) || branches.length !== 2) return out;
  const isNull = (b: JsonSchema) => b.type === "null" && Object.keys(b).length === 1;
  const nullAt = branches.findIndex(isNull);
  const other = branches[1 - nullAt] as JsonSchema | undefined;
  if (nullAt < 0 || !other || typeof other.type !== "string" || "anyOf" in other) return out;
  const { anyOf: _, ...rest } = out;
  return {
    ...rest,
    ...other,
    type: [other.type, "null"],
    ...(Array.isArray(other.enum) ? { enum: [...other.enum, null] } : {}),
  };
}
