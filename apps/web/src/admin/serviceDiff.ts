/**
 * What changed between two versions of a service item, element by element, in words an
 * administrator can check before publishing. Lists of records are matched by their identity
 * (a material's code, a step's key, a basis's title), not by position, so inserting one entry
 * reads as one addition rather than a change of everything after it.
 */
export interface Change {
  /** The standard element (top-level key), e.g. "materials". */
  element: string;
  /** Where inside it, e.g. "photo.maxSizeMb"; empty for the element itself. */
  path: string;
  kind: "added" | "removed" | "changed";
  before?: string;
  after?: string;
}

type Json = unknown;

const identityKeys = ["code", "key", "title", "name"] as const;

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: Json): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function identityOf(value: Json, index: number): string {
  if (isRecord(value)) {
    for (const key of identityKeys) {
      const id = value[key];
      if (typeof id === "string" && id) return id;
    }
  }
  return String(index + 1);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function nameOf(value: Json): string {
  if (isRecord(value)) {
    const name = value.name ?? value.title;
    if (typeof name === "string") return name;
  }
  return show(value);
}

interface Flat {
  leaves: Map<string, Json>;
  /** Records found in lists, by path, with the name to show when one is added or removed whole. */
  records: Map<string, string>;
}

/** Leaves of a value by path; records in lists are keyed by their identity. */
function flatten(value: Json, path: string, out: Flat) {
  if (Array.isArray(value)) {
    if (value.every((entry) => !isRecord(entry) && !Array.isArray(entry))) {
      out.leaves.set(path, value);
      return;
    }
    value.forEach((entry, index) => {
      const at = join(path, identityOf(entry, index));
      out.records.set(at, nameOf(entry));
      flatten(entry, at, out);
    });
    return;
  }
  if (isRecord(value)) {
    for (const [key, entry] of Object.entries(value)) flatten(entry, join(path, key), out);
    return;
  }
  out.leaves.set(path, value);
}

const within = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`);

function scalarListChanges(element: string, path: string, before: Json[], after: Json[]): Change[] {
  const was = new Set(before.map(show));
  const is = new Set(after.map(show));
  const changes: Change[] = [];
  for (const entry of is) if (!was.has(entry)) changes.push({ element, path, kind: "added", after: entry });
  for (const entry of was) if (!is.has(entry)) changes.push({ element, path, kind: "removed", before: entry });
  if (changes.length === 0 && before.map(show).join("\n") !== after.map(show).join("\n")) {
    changes.push({
      element,
      path,
      kind: "changed",
      before: before.map(show).join("、"),
      after: after.map(show).join("、"),
    });
  }
  return changes;
}

export function diffItems(before: Record<string, Json>, after: Record<string, Json>): Change[] {
  const elements = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changes: Change[] = [];
  for (const element of elements) {
    const old: Flat = { leaves: new Map(), records: new Map() };
    const now: Flat = { leaves: new Map(), records: new Map() };
    flatten(before[element], "", old);
    flatten(after[element], "", now);
    // A record added or removed whole is one change, not one per field.
    const whole: string[] = [];
    const inWhole = (path: string) => whole.some((prefix) => within(path, prefix));
    for (const [path, name] of now.records)
      if (!old.records.has(path) && !inWhole(path)) {
        whole.push(path);
        changes.push({ element, path, kind: "added", after: name });
      }
    for (const [path, name] of old.records)
      if (!now.records.has(path) && !inWhole(path)) {
        whole.push(path);
        changes.push({ element, path, kind: "removed", before: name });
      }
    const was = old.leaves;
    const is = now.leaves;
    const paths = [...new Set([...was.keys(), ...is.keys()])].filter((path) => !inWhole(path));
    for (const path of paths) {
      const a = was.get(path);
      const b = is.get(path);
      if (Array.isArray(a) || Array.isArray(b)) {
        changes.push(...scalarListChanges(element, path, Array.isArray(a) ? a : [], Array.isArray(b) ? b : []));
      } else if (!was.has(path)) {
        changes.push({ element, path, kind: "added", after: show(b) });
      } else if (!is.has(path)) {
        changes.push({ element, path, kind: "removed", before: show(a) });
      } else if (show(a) !== show(b)) {
        changes.push({ element, path, kind: "changed", before: show(a), after: show(b) });
      }
    }
  }
  return changes;
}
