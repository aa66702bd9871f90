/**
 * Port checks done before anything starts, so a taken port is a one-line explanation rather than a
 * stack trace from deep inside an HTTP or libp2p server.
 */
import { createServer } from "node:net";

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly service: string,
    readonly option: string,
  ) {
    super(
      `port ${port} (${service}) is already in use, perhaps by another devnet or node. ` +
        `Stop that process, or choose another port with ${option} <port> (0 picks a free one).`,
    );
    this.name = "PortInUseError";
  }
}

/** Resolves when `port` on `host` can be bound; port 0 always can. */
export async function assertPortFree(host: string, port: number, service: string, option: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "EADDRINUSE" || error.code === "EACCES" ? new PortInUseError(port, service, option) : error);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}

/** A base port with `count` free ports after it on `host` (probed), for validators that need fixed ones. */
export async function freePortRange(count: number, host = "127.0.0.1"): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let free = true;
    for (let i = 0; i < count && free; i++) {
      free = await assertPortFree(host, base + i, "", "").then(
        () => true,
        () => false,
      );
    }
    if (free) return base;
  }
  throw new Error(`found no ${count} free consecutive ports on ${host}`);
}
