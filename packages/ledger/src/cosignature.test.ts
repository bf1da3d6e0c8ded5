import { describe, expect, it } from "vitest";
import { fromBase64, utf8Decode, utf8Encode } from "./bytes.ts";
import { formatCheckpoint, signCheckpoint, verifyCheckpoint } from "./checkpoint.ts";
import { cosign, cosignatureMessage, verifyCosignature } from "./cosignature.ts";
import { ed25519Sign, ed25519Verify } from "./crypto/ed25519.ts";
import { generateNoteKey, parseSignerKey, parseVerifierKey } from "./keys.ts";
import { leafHash, rootHash } from "./merkle.ts";
import { formatSignatureLine, parseNote } from "./note.ts";

const origin = "ledger.weinan.gov.cn/v1";
const log = generateNoteKey(origin);
const witness = generateNoteKey("witness.chongqing.gov.cn/w1", "cosignature/v1");
const checkpoint = {
  origin,
  treeSize: 5,
  rootHash: rootHash([0, 1, 2, 3, 4].map((i) => leafHash(Uint8Array.of(i)))),
  extensions: [],
};
const signed = signCheckpoint(checkpoint, [parseSignerKey(log.signerKey)]);
const at = (timestamp: number) => parseSignerKey(witness.signerKey, { clock: () => timestamp });

describe("C2SP tlog-cosignature cosignature/v1", () => {
  it("signs exactly the header, the time line and the checkpoint text", () => {
    // The specification's example message.
    const text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    expect(utf8Decode(cosignatureMessage(1679315147, utf8Encode(text)))).toBe(
      `cosignature/v1\ntime 1679315147\n${text}`,
    );
    expect(() => cosignatureMessage(-1, utf8Encode(text))).toThrow(RangeError);
    expect(() => cosignatureMessage(2n ** 63n, utf8Encode(text))).toThrow(RangeError);
  });

  it("round-trips: the cosignature verifies, keeps the log's signature and carries its timestamp", () => {
    const cosigned = cosign(signed, at(1_750_000_000));
    const result = verifyCosignature(cosigned, parseVerifierKey(witness.verifierKey));
    expect(result).toEqual({ ok: true, value: { timestamp: 1_750_000_000, checkpoint } });
    expect(verifyCheckpoint(cosigned, [parseVerifierKey(log.verifierKey)]).ok).toBe(true);
    expect(
      verifyCheckpoint(cosigned, [parseVerifierKey(log.verifierKey), parseVerifierKey(witness.verifierKey)]).ok,
    ).toBe(true);
  });

  it("lays out the signature as key ID, big-endian timestamp, Ed25519 signature over the message", () => {
    const cosigned = cosign(signed, at(1_750_000_000));
    const parsed = parseNote(cosigned);
    if (!parsed.ok) throw new Error(parsed.error);
    const line = parsed.value.signatures.at(-1);
    if (line === undefined) throw new Error("no signature");
    expect(line.name).toBe("witness.chongqing.gov.cn/w1");
    expect(line.signature).toHaveLength(72);
    const stamp = new DataView(line.signature.buffer, line.signature.byteOffset).getBigUint64(0, false);
    expect(stamp).toBe(1_750_000_000n);
    const { publicKey } = parseVerifierKey(witness.verifierKey);
    const message = cosignatureMessage(1_750_000_000, utf8Encode(formatCheckpoint(checkpoint)));
    expect(ed25519Verify(publicKey, message, line.signature.subarray(8))).toBe(true);
  });

  it("is deterministic for a given time, and replaces the witness's older cosignature", () => {
    const first = cosign(signed, at(100));
    expect(cosign(signed, at(100))).toBe(first);
    const renewed = cosign(first, at(200));
    expect(renewed.split("\n— witness.").length).toBe(2);
    expect(verifyCosignature(renewed, parseVerifierKey(witness.verifierKey))).toMatchObject({
      ok: true,
      value: { timestamp: 200 },
    });
  });

  it("fails for a changed timestamp, a changed checkpoint or another witness", () => {
    const cosigned = cosign(signed, at(1_750_000_000));
    const parsed = parseNote(cosigned);
    if (!parsed.ok) throw new Error(parsed.error);
    const [logSignature, witnessSignature] = parsed.value.signatures as [
      never,
      { name: string; keyId: number; signature: Uint8Array },
    ];
    const shifted = witnessSignature.signature.slice();
    shifted[7] = (shifted[7] as number) ^ 1;
    const retimed = `${parsed.value.text}\n${formatSignatureLine(logSignature)}\n${formatSignatureLine({ ...witnessSignature, signature: shifted })}\n`;
    expect(verifyCosignature(retimed, parseVerifierKey(witness.verifierKey)).ok).toBe(false);

    expect(verifyCosignature(cosigned.replace("\n5\n", "\n6\n"), parseVerifierKey(witness.verifierKey)).ok).toBe(false);
    expect(
      verifyCosignature(
        cosigned,
        parseVerifierKey(generateNoteKey("witness.chongqing.gov.cn/w1", "cosignature/v1").verifierKey),
      ),
    ).toMatchObject({
      ok: false,
      error: "note has no signature by any of the given keys",
    });
  });

  it("does not accept a plain Ed25519 signature by the same key as a cosignature", () => {
    const seedKey = parseSignerKey(witness.signerKey);
    const seed = (fromBase64(witness.signerKey.split("+").slice(4).join("+")) as Uint8Array).slice(1);
    // Same key, same key ID, but a signature over the bare text, as a confused witness might make.
    const bare = ed25519Sign(seed, utf8Encode(formatCheckpoint(checkpoint)));
    const forged = `${formatCheckpoint(checkpoint)}\n${formatSignatureLine({ name: seedKey.name, keyId: seedKey.keyId, signature: bare })}\n`;
    expect(verifyCosignature(forged, parseVerifierKey(witness.verifierKey)).ok).toBe(false);
    // A timestamp above 2^63 − 1 is invalid whatever the signature.
    const farFuture = new Uint8Array([...new Uint8Array(8).fill(0xff), ...bare]);
    const future = `${formatCheckpoint(checkpoint)}\n${formatSignatureLine({ name: seedKey.name, keyId: seedKey.keyId, signature: farFuture })}\n`;
    expect(verifyCosignature(future, parseVerifierKey(witness.verifierKey)).ok).toBe(false);
  });

  it("refuses to cosign a malformed note or a note that is not a checkpoint", () => {
    expect(() => cosign("not a note", at(1))).toThrow(/malformed note/);
    const letter = `Dear witness,\n\n${signed.slice(signed.lastIndexOf("— "))}`;
    expect(() => cosign(letter, at(1))).toThrow(/cannot cosign/);
  });
});
