import type { Command } from "../command.ts";
import { resolveToCid } from "./pin.ts";

/** `block/get`: the raw bytes of one block. */
export const blockGetCommand: Command = {
  argument: { name: "cid", required: true, variadic: false },
  options: {},
  async run({ services, args, response, signal }) {
    const cid = await resolveToCid(args[0], services.blocks, signal);
    const bytes = await services.blocks.getBytes(cid, { signal });
    await response.bytes([bytes], BigInt(bytes.length));
  },
};

/** `block/stat`: `{"Key","Size"}` of one block. */
export const blockStatCommand: Command = {
  argument: { name: "cid", required: true, variadic: false },
  options: {},
  async run({ services, args, response, signal }) {
    const cid = await resolveToCid(args[0], services.blocks, signal);
    const bytes = await services.blocks.getBytes(cid, { signal });
    response.json({ Key: cid.toString(), Size: bytes.length });
  },
};
