import ReactMarkdown, { defaultUrlTransform, type Components } from "react-markdown";

/**
 * A proposal's Markdown, rendered without raw HTML (HTML in the source is dropped, not interpreted)
 * and without loading anything: images become links naming their alt text, so reading a proposal
 * fetches nothing from third parties.
 */
const components: Components = {
  img: ({ src, alt }) => {
    const href = typeof src === "string" ? src : undefined;
    const label = alt && alt.trim() !== "" ? alt : "image without a description";
    return href === undefined ? (
      <span className="md-image">[image: {label}]</span>
    ) : (
      <a className="md-image" href={href} rel="nofollow noopener noreferrer" target="_blank">
        [image: {label}]
      </a>
    );
  },
  a: ({ href, children }) => (
    <a href={href} rel="nofollow noopener noreferrer" target="_blank">
      {children}
    </a>
  ),
  // Proposal headings sit under the page's own h1/h2.
  h1: ({ children }) => <h3>{children}</h3>,
  h2: ({ children }) => <h4>{children}</h4>,
  h3: ({ children }) => <h5>{children}</h5>,
};

export function Markdown({ source }: { source: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown skipHtml components={components} urlTransform={(url) => (url.startsWith("ipfs://") ? url : defaultUrlTransform(url))}>
        {source}
      </ReactMarkdown>
    </div>
  );
}
