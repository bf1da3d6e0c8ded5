// Where the verifier reads from: a tlog-tiles base URL (`<base>/checkpoint`, `<base>/tile/…`) or a
// local directory with the same layout, plus single files, URLs or stdin for checkpoints and
// proofs. The only I/O of the package lives here and in the CLI entry point.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** A failure to read (network, file system), as opposed to a failed verification. */
export class SourceError extends Error {
  override name = "SourceError";
}

export type Fetch = (
  url: string,
  init?: { signal?: AbortSignal },
) => Promise<{
  ok: boolean;
  status: number;
  statusText: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

export interface SourceOptions {
  readonly fetch?: Fetch;
  readonly readStdin?: () => Promise<Uint8Array>;
  /** Per-request timeout in milliseconds. Default 30 s. */
  readonly timeoutMs?: number;
}

const isUrl = (location: string) => /^https?:\/\//i.test(location);

/** Reads one resource: an http(s) URL, a file:// URL, "-" for stdin, or a file path. */
export async function readLocation(location: string, options: SourceOptions = {}): Promise<Uint8Array> {
  if (location === "-") {
    if (options.readStdin === undefined) throw new SourceError("reading stdin is not available here");
    return options.readStdin();
  }
  if (isUrl(location)) return fetchBytes(location, options);
  const path = location.startsWith("file:") ? fileURLToPath(location) : resolve(location);
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SourceError(
      code === "ENOENT" ? `${path}: no such file` : `cannot read ${path}: ${(error as Error).message}`,
    );
  }
}

/** A log published in the tlog-tiles layout under `base` (URL or directory). */
export interface LogLocation {
  readonly base: string;
  read(path: string): Promise<Uint8Array>;
}

export function logLocation(base: string, options: SourceOptions = {}): LogLocation {
  const trimmed = base.replace(/\/+$/, "");
  return {
    base: trimmed,
    read: (path) =>
      readLocation(
        isUrl(trimmed) || trimmed.startsWith("file:") ? `${trimmed}/${path}` : resolve(trimmed, path),
        options,
      ),
  };
}

async function fetchBytes(url: string, options: SourceOptions): Promise<Uint8Array> {
  const fetchImpl = options.fetch ?? (globalThis.fetch as unknown as Fetch | undefined);
  if (fetchImpl === undefined) throw new SourceError("this runtime has no fetch; use Node.js 20 or later");
  let response: Awaited<ReturnType<Fetch>>;
  try {
    response = await fetchImpl(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new SourceError(`GET ${url} failed: ${(error as Error).message}${cause === undefined ? "" : ` (${cause})`}`);
  }
  if (!response.ok) throw new SourceError(`GET ${url}: HTTP ${response.status} ${response.statusText}`.trimEnd());
  return new Uint8Array(await response.arrayBuffer());
}
