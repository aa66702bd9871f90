/** The browser's calls to the app's own API routes; refusals become ApiRequestError with the server's words. */
import { ApiRequestError } from "../appLib/errorWords.ts";

export async function callApi<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: init.body === undefined ? undefined : { "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body, (_key, value) => (typeof value === "bigint" ? value.toString() : value)),
    credentials: "same-origin",
    cache: "no-store",
  });
  const payload = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string; data?: string } };
  if (!response.ok || payload.error !== undefined) {
    const error = new ApiRequestError(response.status, payload.error?.code ?? "HTTP_ERROR", payload.error?.message ?? `the server answered ${response.status}`);
    if (payload.error?.data !== undefined) Object.assign(error, { data: payload.error.data });
    throw error;
  }
  return payload as T;
}
