/** Plain JSON-RPC over real HTTP and WebSocket, for asserting exact responses. */
import { WebSocket } from "ws";

export interface RpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

export interface RpcResponse {
  jsonrpc: "2.0";
  id: string | number | null;
  result?: unknown;
  error?: RpcErrorBody;
}

let nextId = 1;

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export async function rpc(url: string, method: string, params?: unknown[]): Promise<RpcResponse> {
  const request: Record<string, unknown> = { jsonrpc: "2.0", id: nextId++, method };
  if (params !== undefined) request.params = params;
  const response = await post(url, request);
  return (await response.json()) as RpcResponse;
}

/** The result, or a thrown Error naming the JSON-RPC error. */
export async function call<T = unknown>(url: string, method: string, params?: unknown[]): Promise<T> {
  const response = await rpc(url, method, params);
  if (response.error !== undefined) {
    throw new Error(`${method} failed: ${response.error.code} ${response.error.message}`);
  }
  return response.result as T;
}

/** The error of a call expected to fail. */
export async function callError(url: string, method: string, params?: unknown[]): Promise<RpcErrorBody> {
  const response = await rpc(url, method, params);
  if (response.error === undefined) throw new Error(`${method} succeeded with ${JSON.stringify(response.result)}`);
  return response.error;
}

/** A WebSocket JSON-RPC client that collects `eth_subscription` notifications. */
export class WsClient {
  readonly notifications: { subscription: string; result: unknown }[] = [];
  readonly #pending = new Map<number, (response: RpcResponse) => void>();
  readonly #waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (raw) => {
      const message = JSON.parse(raw.toString()) as RpcResponse & { method?: string; params?: { subscription: string; result: unknown } };
      if (message.method === "eth_subscription" && message.params !== undefined) {
        this.notifications.push(message.params);
        for (const waiter of this.#waiters.splice(0)) waiter();
        return;
      }
      const resolve = this.#pending.get(message.id as number);
      this.#pending.delete(message.id as number);
      resolve?.(message);
    });
  }

  static async connect(url: string, options: { origin?: string } = {}): Promise<WsClient> {
    const socket = new WebSocket(url, options.origin === undefined ? {} : { headers: { Origin: options.origin } });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    return new WsClient(socket);
  }

  request(method: string, params?: unknown[]): Promise<RpcResponse> {
    const id = nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }

  async call<T = unknown>(method: string, params?: unknown[]): Promise<T> {
    const response = await this.request(method, params);
    if (response.error !== undefined) throw new Error(`${method} failed: ${response.error.code} ${response.error.message}`);
    return response.result as T;
  }

  /** Waits until `predicate` holds over the notifications received so far. */
  async waitFor(predicate: (notifications: WsClient["notifications"]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.notifications)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for notifications; got ${JSON.stringify(this.notifications)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once("close", () => resolve());
      this.socket.close();
    });
  }
}
