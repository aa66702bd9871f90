import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { describeServerProblem } from "../appLib/serverProblem.ts";
import { clientConfig } from "../appLib/siteConfig.ts";
import type { ClientConfig } from "../appLib/clientConfig.ts";
import { NetworkBanner } from "../components/NetworkBanner.tsx";
import { Providers } from "../components/Providers.tsx";
import { SiteHeader } from "../components/SiteHeader.tsx";
import "./globals.css";

// Every page reads the chain as it is now: nothing is prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Concord DAO", template: "%s · Concord DAO" },
  description: "Propose, vote, delegate and execute on Concord, a local proof-of-stake network for DAOs.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  let config: ClientConfig | undefined;
  let problem: string | undefined;
  try {
    config = await clientConfig();
  } catch (error) {
    problem = describeServerProblem(error);
  }
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {config !== undefined ? (
          <Providers config={config}>
            <SiteHeader chainName={config.chainName} isDevnet={config.isDevnet} />
            <NetworkBanner />
            <main id="main" tabIndex={-1}>
              {children}
            </main>
          </Providers>
        ) : (
          <main id="main" tabIndex={-1}>
            <h1>Concord DAO is not available</h1>
            <p role="alert">{problem}</p>
          </main>
        )}
        <footer className="site-footer">
          <p>Concord: a local proof-of-stake network for DAOs. Proposals are Markdown pinned to IPFS; every vote and action is a transaction you can check.</p>
        </footer>
      </body>
    </html>
  );
}
