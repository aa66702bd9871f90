/**
 * A proposal's on-chain description, as Tally-style tools write and read it:
 *
 *     # Title
 *
 *     Markdown body ...
 *
 *     ipfs://<cid of the same Markdown, pinned>
 *     #proposer=0x...        (OpenZeppelin's front-running guard: only that account may propose it)
 *
 * The first line is the title; the IPFS line lets readers fetch the pinned copy by CID. Browser-safe.
 */
import { getAddress, type Address } from "viem";

export interface ProposalText {
  title: string;
  /** The Markdown after the title (the IPFS line and proposer suffix removed). */
  body: string;
  /** The pinned Markdown's CID, if the description names one. */
  cid: string | undefined;
  /** The account the description reserves the proposal for, if any. */
  proposer: Address | undefined;
}

const PROPOSER_SUFFIX = /#proposer=(0x[0-9a-fA-F]{40})$/;
const IPFS_LINE = /(?:^|\n)ipfs:\/\/([A-Za-z0-9]+)\s*$/;

/** The Markdown document pinned to IPFS: what a reader sees. */
export function proposalMarkdown(title: string, body: string): string {
  return `# ${title.trim()}\n\n${body.trim()}\n`;
}

/** The description passed to `propose`: the pinned document, its CID, and OpenZeppelin's proposer suffix. */
export function proposalDescription(title: string, body: string, cid: string, proposer: Address): string {
  return `${proposalMarkdown(title, body)}\nipfs://${cid}\n${proposerSuffix(proposer)}`;
}

/** OpenZeppelin Governor's `#proposer=<address>` suffix (Governor._isValidDescriptionForProposer). */
export function proposerSuffix(proposer: Address): string {
  return `#proposer=${getAddress(proposer)}`;
}

export function parseProposalDescription(description: string): ProposalText {
  let rest = description;
  let proposer: Address | undefined;
  const suffix = PROPOSER_SUFFIX.exec(rest);
  if (suffix !== null) {
    proposer = getAddress(suffix[1]);
    rest = rest.slice(0, suffix.index);
  }
  rest = rest.trimEnd();
  let cid: string | undefined;
  const ipfs = IPFS_LINE.exec(rest);
  if (ipfs !== null) {
    cid = ipfs[1];
    rest = rest.slice(0, ipfs.index);
  }
  const { title, body } = splitTitle(rest);
  return { title, body, cid, proposer };
}

/** The first line is the title ("# " stripped); a description without one is titled by its start. */
export function splitTitle(markdown: string): { title: string; body: string } {
  const text = markdown.trim();
  const newline = text.indexOf("\n");
  const first = (newline === -1 ? text : text.slice(0, newline)).trim();
  const body = newline === -1 ? "" : text.slice(newline + 1).trim();
  const title = first.replace(/^#+\s*/, "").trim();
  if (title === "") return { title: "Untitled proposal", body };
  return { title: title.length > 120 ? `${title.slice(0, 117)}…` : title, body };
}
