"use client";

/** A page that failed to load: what to do about it, and a way to try again. */
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <>
      <h1>This page could not be loaded</h1>
      <p role="alert">
        The app could not read what this page needs from the chain or IPFS. Check that the devnet is running, then try again.
        {error.digest !== undefined && <> (Server log reference: {error.digest}.)</>}
      </p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </>
  );
}
