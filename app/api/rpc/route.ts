import { NextResponse } from "next/server";
import { appConfig } from "../../../appLib/config.ts";

/**
 * The browser's JSON-RPC endpoint: forwards the standard methods a dapp reads and sends with to the
 * node, and nothing else (no dev methods, no node-side signing), so the browser never needs the
 * node's own URL and the node's dev methods are not reachable through the app.
 */
const ALLOWED = new Set([
  "eth_chainId",
  "net_version",
  "web3_clientVersion",
  "eth_blockNumber",
  "eth_getBlockByNumber",
  "eth_getBlockByHash",
  "eth_call",
  "eth_estimateGas",
  "eth_gasPrice",
  "eth_maxPriorityFeePerGas",
  "eth_feeHistory",
  "eth_getBalance",
  "eth_getCode",
  "eth_getStorageAt",
  "eth_getTransactionCount",
  "eth_getTransactionByHash",
  "eth_getTransactionReceipt",
  "eth_getLogs",
  "eth_sendRawTransaction",
]);
const MAX_BODY = 512 * 1024;
const MAX_BATCH = 50;

interface RpcRequest {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
}

function refusal(request: RpcRequest, code: number, message: string) {
  return { jsonrpc: "2.0", id: request.id ?? null, error: { code, message } };
}

export async function POST(request: Request) {
  const text = await request.text();
  if (text.length > MAX_BODY) return NextResponse.json(refusal({}, -32600, `request larger than ${MAX_BODY} bytes`), { status: 413 });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return NextResponse.json(refusal({}, -32700, "parse error: the body is not JSON"), { status: 400 });
  }
  const batch = Array.isArray(body);
  const requests = (batch ? body : [body]) as RpcRequest[];
  if (requests.length === 0 || requests.length > MAX_BATCH) {
    return NextResponse.json(refusal({}, -32600, `a batch holds 1 to ${MAX_BATCH} requests`), { status: 400 });
  }
  const refused = new Map<number, ReturnType<typeof refusal>>();
  requests.forEach((item, index) => {
    if (typeof item !== "object" || item === null || typeof item.method !== "string") refused.set(index, refusal(item ?? {}, -32600, "invalid request"));
    else if (!ALLOWED.has(item.method)) refused.set(index, refusal(item, -32601, `${item.method} is not available through the app; use the node directly`));
  });
  // Ids are replaced by the request's position so answers map back whatever order the node uses.
  const forwarded = requests.flatMap((item, index) => (refused.has(index) ? [] : [{ ...item, jsonrpc: "2.0", id: index }]));
  const answers = new Map<number, unknown>();
  if (forwarded.length > 0) {
    try {
      const response = await fetch(appConfig().rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(forwarded),
        signal: AbortSignal.timeout(30_000),
      });
      const answered = (await response.json()) as unknown;
      for (const answer of (Array.isArray(answered) ? answered : [answered]) as { id?: unknown }[]) {
        if (typeof answer?.id === "number") answers.set(answer.id, answer);
      }
    } catch {
      return NextResponse.json(refusal(requests[0], -32603, "the chain node did not answer"), { status: 502 });
    }
  }
  const merged = requests.map((item, index) => {
    const answer = refused.get(index) ?? (answers.get(index) as Record<string, unknown> | undefined);
    return answer === undefined ? refusal(item, -32603, "the chain node gave no answer to this request") : { ...answer, id: item.id ?? null };
  });
  return NextResponse.json(batch ? merged : merged[0]);
}
