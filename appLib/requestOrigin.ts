import "server-only";
import { appConfig } from "./config.ts";

/** The app's origin as the browser sees it: CONCORD_APP_ORIGIN if set, else the request's Host. */
export function appOrigin(request: Request): { origin: string; host: string } {
  const configured = appConfig().appOrigin;
  if (configured !== undefined) return { origin: configured, host: new URL(configured).host };
  const url = new URL(request.url);
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? url.host;
  const protocol = request.headers.get("x-forwarded-proto") ?? url.protocol.replace(":", "");
  return { origin: `${protocol}://${host}`, host };
}
