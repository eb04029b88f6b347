import { toJsxRuntime } from 'hast-util-to-jsx-runtime';
import { common, createLowlight } from 'lowlight';
import { Fragment, jsx, jsxs } from 'react/jsx-runtime';

const lowlight = createLowlight(common);

type Props = { code: string; language?: string };

/** Syntax highlighting as React elements (a hast tree, never an HTML string). */
export default function HighlightedCode({ code, language }: Props) {
  const tree =
    language && lowlight.registered(language)
      ? lowlight.highlight(language, code)
      : lowlight.highlightAuto(code);
  return (
    <code className={`hljs${language ? ` language-${language}` : ''}`}>
      {toJsxRuntime(tree, { Fragment, jsx, jsxs })}
    </code>
  );
}
