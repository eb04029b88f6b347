import { type ComponentProps, memo, useId, useMemo } from 'react';
import ReactMarkdown, { type Components, type ExtraProps } from 'react-markdown';
import rehypeSanitize, { defaultSchema } from 'rehype-sanitize';
import remarkGfm from 'remark-gfm';
import { urlTransform } from '../lib/safe-urls';
import { CodeBlock } from './code-block';
import { CitationChip } from './sources';

type MdastNode = { type: string; value?: string; children?: MdastNode[] };

/** Turns HTML in the markdown into plain text, so `<b>` shows as `<b>` instead of vanishing. */
function remarkHtmlAsText() {
  const walk = (node: MdastNode) => {
    if (node.type === 'html') node.type = 'text';
    node.children?.forEach(walk);
  };
  return walk;
}

// Model output is untrusted. Three layers keep it inert:
// 1. react-markdown without rehype-raw: HTML in the text is never parsed (it shows as text);
// 2. rehype-sanitize (GitHub's schema) on the resulting tree;
// 3. urlTransform: only allowlisted link protocols and image hosts survive.
//
// Footnotes are the only ids in the output (HTML is never parsed): remark-rehype prefixes them
// per message (`user-content-<message>-fn-1`, links to match), so the sanitizer must not prefix
// them again, and in-page links (`#…`) stay in this tab.
const schema = { ...defaultSchema, clobberPrefix: '' };

const Link = ({ node: _node, href, children, ...props }: ComponentProps<'a'> & ExtraProps) =>
  href?.startsWith('#') ? (
    <a {...props} href={href}>
      {children}
    </a>
  ) : href ? (
    <a {...props} href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  ) : (
    <span className="blocked-link">{children}</span>
  );

const components: Components = {
  a: Link,
  img: ({ node: _node, src, alt, ...props }) =>
    src ? (
      <img {...props} src={src} alt={alt ?? ''} loading="lazy" referrerPolicy="no-referrer" />
    ) : (
      <span className="blocked-image" title="Image not loaded (host not allowlisted)">
        [image{alt ? `: ${alt}` : ''}]
      </span>
    ),
  pre: ({ node }) => <CodeBlock node={node} />,
};

const CITATION = /^#(cite|support)-(\d+)$/;

type Props = {
  text: string;
  /** Set when the reply has sources: `[n](#cite-n)` links render as chips that open source n. */
  onCite?: (n: number) => void;
};

const Markdown = memo(function Markdown({ text, onCite }: Props) {
  const footnotes = { clobberPrefix: `user-content-${useId().replace(/[^\w-]/g, '')}-` };
  const withChips = useMemo<Components>(() => {
    if (!onCite) return components;
    return {
      ...components,
      a: (props) => {
        const cite = props.href?.match(CITATION);
        return cite ? (
          <CitationChip n={Number(cite[2])} supported={cite[1] === 'support'} onOpen={onCite} />
        ) : (
          <Link {...props} />
        );
      },
    };
  }, [onCite]);
  return (
    <ReactMarkdown
      remarkPlugins={[remarkGfm, remarkHtmlAsText]}
      remarkRehypeOptions={footnotes}
      rehypePlugins={[[rehypeSanitize, schema]]}
      urlTransform={urlTransform}
      components={withChips}
    >
      {text}
    </ReactMarkdown>
  );
});

export default Markdown;
