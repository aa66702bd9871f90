import "server-only";

/** A page-level sentence for a service the app depends on being down or missing. */
export function describeServerProblem(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === "CHAIN_UNAVAILABLE" || code === "DEPLOYMENT_MISSING" || code === "DEPLOYMENT_INVALID" || code === "APP_CONFIG_INVALID") {
    return `${(error as Error).message}.`;
  }
  console.error(error);
  return "The app could not read the chain. The server's log has the details.";
}
