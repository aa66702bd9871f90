/**
 * JSON-RPC 2.0 framing: parse, single requests and batches, notifications, parameter checks,
 * and turning every outcome (including thrown errors) into a response. Transport-independent:
 * the HTTP and WebSocket handlers both call `handleText`.
 */
import { InvalidParamsError, RpcError, RpcErrorCode, methodNotFound, toRpcError } from "./errors.ts";
import { bytesToHex, quantity } from "./hex.ts";
import type { MethodTable, RpcContext, RpcMethod } from "./method.ts";
import { ParamError } from "./validation.ts";

type RequestId = string | number | null;

interface Response {
  jsonrpc: "2.0";
  id: RequestId;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export interface DispatcherOptions {
  maxBatchSize: number;
  /** Told about errors that are the server's fault (anything answered as -32603). */
  onInternalError: (method: string, error: unknown) => void;
}

const MAX_METHOD_NAME = 128;

function errorResponse(id: RequestId, error: RpcError): Response {
  const body: Response["error"] = { code: error.code, message: error.message };
  if (error.data !== undefined) body.data = error.data;
  return { jsonrpc: "2.0", id, error: body };
}

/** Methods that submit a transaction (a batch of them is a burst the engine waits for). */
const SUBMISSIONS = new Set(["eth_sendRawTransaction", "eth_sendTransaction"]);

function isTransactionSubmission(request: unknown): boolean {
  return typeof request === "object" && request !== null && SUBMISSIONS.has((request as { method?: unknown }).method as string);
}

function isValidId(id: unknown): id is RequestId {
  return id === null || typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
}

/** A bigint or bytes that slipped past a formatter still serialises as JSON-RPC hex. */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value < 0n ? value.toString(10) : quantity(value);
  if (value instanceof Uint8Array) return bytesToHex(value);
  return value;
}

export class RpcDispatcher {
  constructor(
    private readonly methods: MethodTable,
    private readonly options: DispatcherOptions,
  ) {}

  /** The response text for a request body, or undefined when nothing is to be answered (notifications). */
  async handleText(text: string, context: RpcContext): Promise<string | undefined> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      const detail = error instanceof SyntaxError ? `: ${error.message.slice(0, 200)}` : "";
      return this.#serialize(errorResponse(null, new RpcError(RpcErrorCode.ParseError, `parse error${detail}`)));
    }
    const response = await this.handleParsed(parsed, context);
    return response === undefined ? undefined : this.#serialize(response);
  }

  async handleParsed(parsed: unknown, context: RpcContext): Promise<Response | Response[] | undefined> {
    if (!Array.isArray(parsed)) return this.#handleRequest(parsed, context);
    if (parsed.length === 0) return errorResponse(null, new RpcError(RpcErrorCode.InvalidRequest, "empty batch"));
    if (parsed.length > this.options.maxBatchSize) {
      return errorResponse(
        null,
        new RpcError(
          RpcErrorCode.InvalidRequest,
          `batch of ${parsed.length} requests exceeds the limit of ${this.options.maxBatchSize}; split it into smaller batches`,
        ),
      );
    }
    // In order: each entry starts once the one before it is answered or, for a transaction, admitted
    // to the pool. A sender's nonces reach the pool in order, and a batch of transactions lands in as
    // few blocks as the gas limit allows instead of one block each (automine answers at commit).
    const pending: Promise<Response | undefined>[] = [];
    const burstOver = parsed.length > 1 && parsed.some(isTransactionSubmission) ? context.backend.beginBurst?.() : undefined;
    try {
      for (const request of parsed) {
        const [response] = await this.#handleInTurn(request, context);
        pending.push(response);
      }
    } finally {
      burstOver?.();
    }
    const responses = (await Promise.all(pending)).filter((response) => response !== undefined);
    return responses.length === 0 ? undefined : responses;
  }

  /**
   * Starts `request` and resolves once the next request may start: when it was answered, or when the
   * transaction it submits was admitted. The answer itself comes with the first element.
   */
  async #handleInTurn(request: unknown, context: RpcContext): Promise<[Promise<Response | undefined>]> {
    let admitted!: () => void;
    const turnOver = new Promise<void>((resolve) => (admitted = resolve));
    const response = this.#handleRequest(request, { ...context, admitted });
    await Promise.race([response, turnOver]);
    return [response];
  }

  /** The response text for a request body, letting the next request start as `handleParsed` does for a batch. */
  async handleTextInTurn(text: string, context: RpcContext): Promise<[Promise<string | undefined>]> {
    let admitted!: () => void;
    const turnOver = new Promise<void>((resolve) => (admitted = resolve));
    const reply = this.handleText(text, { ...context, admitted });
    await Promise.race([reply.then(() => undefined, () => undefined), turnOver]);
    return [reply];
  }

  async #handleRequest(request: unknown, context: RpcContext): Promise<Response | undefined> {
    if (typeof request !== "object" || request === null || Array.isArray(request)) {
      return errorResponse(null, new RpcError(RpcErrorCode.InvalidRequest, "invalid request: expected a JSON-RPC request object"));
    }
    const fields = request as Record<string, unknown>;
    const isNotification = !("id" in fields);
    if (!isNotification && !isValidId(fields.id)) {
      return errorResponse(null, new RpcError(RpcErrorCode.InvalidRequest, "invalid request: id must be a string, a number or null"));
    }
    const id = isNotification ? null : (fields.id as RequestId);
    if (fields.jsonrpc !== "2.0") {
      return errorResponse(id, new RpcError(RpcErrorCode.InvalidRequest, 'invalid request: jsonrpc must be "2.0"'));
    }
    if (typeof fields.method !== "string" || fields.method.length === 0 || fields.method.length > MAX_METHOD_NAME) {
      return errorResponse(id, new RpcError(RpcErrorCode.InvalidRequest, `invalid request: method must be a non-empty string of at most ${MAX_METHOD_NAME} characters`));
    }
    const method = fields.method;
    let response: Response;
    try {
      const result = await this.#invoke(method, fields.params, context);
      response = { jsonrpc: "2.0", id, result: result === undefined ? null : result };
    } catch (error) {
      const rpcError = toRpcError(error);
      if (rpcError.code === RpcErrorCode.InternalError) this.options.onInternalError(method, error);
      response = errorResponse(id, rpcError);
    }
    return isNotification ? undefined : response;
  }

  async #invoke(name: string, rawParams: unknown, context: RpcContext): Promise<unknown> {
    const method: RpcMethod | undefined = Object.hasOwn(this.methods, name) ? this.methods[name] : undefined;
    if (method === undefined) throw methodNotFound(name);
    if (rawParams !== undefined && !Array.isArray(rawParams)) {
      throw new InvalidParamsError(-1, "invalid params: params must be an array (named parameters are not supported)");
    }
    const params = rawParams ?? [];
    if (params.length > method.params.length) {
      throw new InvalidParamsError(-1, `too many arguments, want at most ${method.params.length}`);
    }
    const values = method.params.map((validator, index) => {
      const value = params[index];
      if ((value === undefined || value === null) && validator.optional !== true) {
        throw new InvalidParamsError(-1, `missing value for required argument ${index}`);
      }
      try {
        return validator(value);
      } catch (error) {
        if (error instanceof ParamError) throw new InvalidParamsError(index, error.reason);
        throw error;
      }
    });
    return method.handler(context, values);
  }

  #serialize(response: Response | Response[]): string {
    try {
      return JSON.stringify(response, replacer);
    } catch (error) {
      // A result too large for one string, or a formatter bug: answer every request with -32603.
      this.options.onInternalError("(serialize)", error);
      const failed = (single: Response) =>
        errorResponse(single.id, new RpcError(RpcErrorCode.InternalError, "internal error: the response could not be serialised"));
      return JSON.stringify(Array.isArray(response) ? response.map(failed) : failed(response));
    }
  }
}
