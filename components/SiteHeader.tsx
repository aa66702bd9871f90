import Link from "next/link";
import { WalletPanel } from "./WalletPanel.tsx";

/** The one header every page shares: the DAO's name, navigation and the wallet. */
export function SiteHeader({ chainName, isDevnet }: { chainName: string; isDevnet: boolean }) {
  return (
    <header className="site-header">
      <div className="brand">
        <Link href="/" className="brand-link">
          <svg aria-hidden="true" viewBox="0 0 32 32" width="28" height="28">
            <circle cx="16" cy="16" r="14" fill="currentColor" opacity="0.15" />
            <path d="M9 16a7 7 0 0 1 12-5M23 16a7 7 0 0 1-12 5" stroke="currentColor" strokeWidth="3" fill="none" strokeLinecap="round" />
          </svg>
          <span>Concord</span>
        </Link>
        <span className="chain-name">
          {chainName}
          {isDevnet && <span className="tag tag-warning">devnet</span>}
        </span>
      </div>
      <nav aria-label="Main">
        <ul>
          <li>
            <Link href="/proposals">Proposals</Link>
          </li>
          <li>
            <Link href="/proposals/new">New proposal</Link>
          </li>
          <li>
            <Link href="/account">Account &amp; delegation</Link>
          </li>
        </ul>
      </nav>
      <WalletPanel />
    </header>
  );
}
