export interface TarMember {
  name: string;
  type: "file" | "directory";
  content: Buffer;
}

/** Reads a whole ustar/pax archive (what `ipfs get` returns) into its members. */
export function readTar(archive: Buffer): TarMember[] {
  const members: TarMember[] = [];
  let offset = 0;
  let paxPath: string | undefined;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number): string => header.subarray(start, start + length).toString("utf8").replace(/\0.*$/s, "");
    const size = Number.parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1);
    const body = archive.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      for (const record of body.toString("utf8").split("\n")) {
        const match = /^\d+ path=(.*)$/.exec(record);
        if (match !== null) paxPath = match[1];
      }
      continue;
    }
    const name = paxPath ?? field(0, 100);
    paxPath = undefined;
    members.push({ name: name.replace(/\/$/, ""), type: type === "5" ? "directory" : "file", content: Buffer.from(body) });
  }
  return members;
}
