import type { UnixFSDirectoryEntry } from "ipfs-unixfs-exporter";

/** A plain HTML index of a UnixFS directory: names link to sub-paths, CIDs to their own roots. */
export function renderDirectoryListing(contentPath: string, entries: UnixFSDirectoryEntry[]): string {
  const base = contentPath.endsWith("/") ? contentPath : `${contentPath}/`;
  const rows = entries
    .map((entry) => {
      const href = `${base}${encodeURIComponent(entry.name)}`;
      return `<tr><td><a href="${escapeHtml(href)}">${escapeHtml(entry.name)}</a></td><td>${entry.size}</td><td><a href="/ipfs/${entry.cid}">${entry.cid}</a></td></tr>`;
    })
    .join("\n");
  const parent = base.split("/").filter(Boolean).length > 2 ? `<tr><td><a href="${escapeHtml(`${base}..`)}">..</a></td><td></td><td></td></tr>\n` : "";
  return `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>${escapeHtml(contentPath)}</title></head>
<body>
<h1>Index of ${escapeHtml(contentPath)}</h1>
<table>
<thead><tr><th>Name</th><th>Size</th><th>CID</th></tr></thead>
<tbody>
${parent}${rows}
</tbody>
</table>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}
