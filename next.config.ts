import { realpathSync } from "node:fs";
import path from "node:path";
import type { NextConfig } from "next";

// Turbopack compiles only files under its root. A git worktree may share another checkout's
// node_modules through a symlink; the root is then the folder holding both.
const projectRoot = import.meta.dirname;
const modulesDir = realpathSync(path.join(projectRoot, "node_modules"));
const workspaceRoot = commonAncestor(projectRoot, path.dirname(modulesDir));

// The app runs offline next to the devnet: nothing is fetched at build or run time (system fonts, no
// remote images; telemetry is off through .env and the npm scripts).
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  images: { unoptimized: true },
  // `npm run typecheck` (tsc over the whole project, the app included) is the type check; the build's
  // own pass would check the whole repository a second time.
  typescript: { ignoreBuildErrors: true },
  // The server reads IPFS through the project's kubo-rpc-client wrapper; it stays a Node module.
  serverExternalPackages: ["kubo-rpc-client"],
  turbopack: { root: workspaceRoot },
  outputFileTracingRoot: workspaceRoot,
};

function commonAncestor(a: string, b: string): string {
  const left = a.split(path.sep);
  const right = b.split(path.sep);
  let shared = 0;
  while (shared < left.length && shared < right.length && left[shared] === right[shared]) shared++;
  return left.slice(0, shared).join(path.sep) || path.sep;
}

export default nextConfig;
