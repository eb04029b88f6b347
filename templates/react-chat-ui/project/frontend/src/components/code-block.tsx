import { lazy, Suspense } from 'react';
import type { ExtraProps } from 'react-markdown';
import { CopyButton } from './copy-button';

// The highlighter (lowlight + grammars) is the heaviest part of the UI: load it on first use.
const HighlightedCode = lazy(() => import('./highlighted-code'));

type HastNode = NonNullable<ExtraProps['node']>;

function textOf(node: HastNode | HastNode['children'][number]): string {
  if (node.type === 'text') return node.value;
  if ('children' in node) return node.children.map((child) => textOf(child as HastNode)).join('');
  return '';
}

function languageOf(node: HastNode | undefined): string | undefined {
  const code = node?.children.find((child) => child.type === 'element' && child.tagName === 'code');
  const classes = code?.type === 'element' ? code.properties.className : undefined;
  const language = Array.isArray(classes)
    ? classes.map(String).find((name) => name.startsWith('language-'))
    : undefined;
  return language?.slice('language-'.length);
}

/** Replaces markdown's <pre>: a fenced code block with a language label and a copy button. */
export function CodeBlock({ node }: ExtraProps) {
  const code = node ? textOf(node).replace(/\n$/, '') : '';
  const language = languageOf(node);
  return (
    <div className="code-block" data-testid="code-block">
      <div className="code-block-header">
        <span>{language ?? 'text'}</span>
        <CopyButton text={code} label="Copy code" />
      </div>
      <pre>
        <Suspense fallback={<code>{code}</code>}>
          <HighlightedCode code={code} language={language} />
        </Suspense>
      </pre>
    </div>
  );
}
