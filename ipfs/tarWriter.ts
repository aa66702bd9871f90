/** One member of a tar archive; a file's content must yield exactly `size` bytes. */
export type TarEntry =
  | { type: "directory"; path: string }
  | { type: "file"; path: string; size: bigint; content: AsyncIterable<Uint8Array> };

const BLOCK = 512;
const USTAR_NAME_MAX = 100;
/** Eleven octal digits; larger files carry their size in a pax record. */
const USTAR_SIZE_MAX = 0o77777777777n;

/**
 * A streaming POSIX (ustar + pax) tar writer, as `ipfs get` sends over the RPC API: headers are
 * written as entries arrive, file bytes pass through, long paths go into pax records.
 */
export async function* writeTar(entries: AsyncIterable<TarEntry>, mtime = Math.floor(Date.now() / 1000)): AsyncGenerator<Uint8Array> {
  for await (const entry of entries) {
    const name = entry.type === "directory" ? `${entry.path.replace(/\/+$/, "")}/` : entry.path;
    const records: Buffer[] = [];
    if (Buffer.byteLength(name) > USTAR_NAME_MAX) records.push(paxRecord("path", name));
    if (entry.type === "file" && entry.size > USTAR_SIZE_MAX) records.push(paxRecord("size", entry.size.toString()));
    if (records.length > 0) {
      const pax = Buffer.concat(records);
      yield header({ name: "PaxHeaders/entry", size: BigInt(pax.length), type: "x", mode: 0o644, mtime });
      yield padded(pax);
    }
    if (entry.type === "directory") {
      yield header({ name, size: 0n, type: "5", mode: 0o755, mtime });
      continue;
    }
    yield header({ name, size: entry.size > USTAR_SIZE_MAX ? 0n : entry.size, type: "0", mode: 0o644, mtime });
    let written = 0n;
    for await (const chunk of entry.content) {
      written += BigInt(chunk.length);
      yield chunk;
    }
    if (written !== entry.size) throw new Error(`tar entry ${name} produced ${written} bytes, expected ${entry.size}`);
    const rest = Number(written % BigInt(BLOCK));
    if (rest !== 0) yield new Uint8Array(BLOCK - rest);
  }
  // End of archive: two empty blocks.
  yield new Uint8Array(BLOCK * 2);
}

function header(fields: { name: string; size: bigint; type: string; mode: number; mtime: number }): Uint8Array {
  const block = Buffer.alloc(BLOCK);
  writeText(block, 0, 100, truncateUtf8(fields.name, USTAR_NAME_MAX));
  writeOctal(block, 100, 8, BigInt(fields.mode));
  writeOctal(block, 108, 8, 0n);
  writeOctal(block, 116, 8, 0n);
  writeOctal(block, 124, 12, fields.size);
  writeOctal(block, 136, 12, BigInt(fields.mtime));
  block.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  writeText(block, 156, 1, fields.type);
  writeText(block, 257, 6, "ustar\0");
  writeText(block, 263, 2, "00");
  let sum = 0;
  for (const byte of block) sum += byte;
  writeText(block, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return block;
}

function paxRecord(key: string, value: string): Buffer {
  // "<len> <key>=<value>\n" where <len> counts itself.
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
  return Buffer.from(`${length}${body}`);
}

function padded(data: Buffer): Uint8Array {
  const size = Math.ceil(data.length / BLOCK) * BLOCK;
  const out = Buffer.alloc(size);
  data.copy(out);
  return out;
}

function writeText(block: Buffer, offset: number, length: number, text: string): void {
  block.write(text, offset, length, "utf8");
}

function writeOctal(block: Buffer, offset: number, length: number, value: bigint): void {
  writeText(block, offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
}

function truncateUtf8(text: string, maxBytes: number): string {
  let out = text;
  while (Buffer.byteLength(out) > maxBytes) out = out.slice(0, -1);
  return out;
}
