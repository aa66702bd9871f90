import type { Metadata } from "next";
import { AccountPanel } from "./AccountPanel.tsx";

export const metadata: Metadata = { title: "Account & delegation" };

export default function AccountPage() {
  return (
    <>
      <h1>Account &amp; delegation</h1>
      <p>
        Tokens vote only once delegated: to yourself, to vote with them, or to someone you trust to vote for you. Delegating keeps the
        tokens in your account; it moves only their voting power, and you can change it at any time.
      </p>
      <AccountPanel />
    </>
  );
}
