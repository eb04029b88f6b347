import { useEffect, useRef } from 'react';
import type { ChatMessage } from '../lib/types';

/**
 * Citations a reader can check. When the chat answers from documents, the server sends each
 * passage it gave the model as an AI SDK `source-document` part (before the text) and, after
 * the text, a `data-citations` part saying which sources the reply cites (see
 * backend/app/core/retriever.py). Both are stored with the message, so they survive a reload.
 */

/** One passage the reply may cite, numbered as the model saw it ([1], [2], ...). */
export type Source = {
  n: number;
  sourceId: string;
  title: string;
  file: string;
  heading: string;
  text: string;
};

/** What the server checked: the [n] the model wrote that name a source (`cited`) or none
 * (`invalid`), and, when it wrote none, the answer sentences a passage supports. */
export type Citations = {
  cited: number[];
  invalid: number[];
  supported: { sentence: string; n: number }[];
};

type RagMetadata = { n?: number; heading?: string; text?: string };

export function sourcesOf(message: ChatMessage): Source[] {
  const sources: Source[] = [];
  for (const part of message.parts) {
    if (part.type !== 'source-document') continue;
    const meta = (part.providerMetadata?.rag ?? {}) as RagMetadata;
    sources.push({
      n: meta.n ?? sources.length + 1,
      sourceId: part.sourceId,
      title: part.title,
      file: part.filename ?? '',
      heading: meta.heading ?? '',
      text: meta.text ?? '',
    });
  }
  return sources;
}

export function citationsOf(message: ChatMessage): Citations | undefined {
  const part = message.parts.find((p) => p.type === 'data-citations');
  return part && 'data' in part ? (part.data as Citations) : undefined;
}

/** A heading or file name as a reader would say it: no markdown (`#`, `**`, backticks, links),
 * no folder or extension, `_` and `-` as spaces. */
export function plainLabel(text: string, isFile = false): string {
  let label = text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // [text](url), ![alt](src)
    .replace(/^\s*#{1,6}\s+/, '') // ## Heading
    .replace(/(\*\*|__|\*|``?|~~)(.+?)\1/g, '$2') // **bold**, `code`, *em*, ~~struck~~
    .replace(/(^|\W)_(.+?)_(?=\W|$)/g, '$1$2') // _em_ (not the _ inside snake_case)
    .replace(/<[^>]+>/g, ''); // <tags>
  if (isFile) {
    label = label
      .split('/')
      .pop()!
      .replace(/\.[a-z0-9]+$/i, '')
      .replace(/[_-]+/g, ' ');
  }
  return label.replace(/\s+/g, ' ').trim();
}

/** Each source's label (its section heading, else its file), plain text, and never the same
 * twice in one reply: a second passage from one section is "Heading (2)". */
export function sourceLabels(sources: Source[]): string[] {
  const seen = new Map<string, number>();
  return sources.map((source) => {
    const label =
      plainLabel(source.heading) || plainLabel(source.title || source.file, true) || 'Passage';
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    return count > 1 ? `${label} (${count})` : label;
  });
}

const MARKER = /\[(\d+(?:\s*,\s*\d+)*)\]/g;

/**
 * The reply's markdown with its citations as links the chips render from: `[2]` becomes
 * `[2](#cite-2)` when source 2 exists (any other number stays plain text: no fake citation);
 * when the model wrote none, `[n](#support-n)` follows each sentence the server found a
 * passage supporting.
 */
export function withCitationLinks(text: string, sources: Source[], citations?: Citations): string {
  const known = new Set(sources.map((s) => s.n));
  let out = text.replace(MARKER, (marker, group: string) => {
    const numbers = group.split(',').map((x) => Number(x.trim()));
    if (!numbers.every((n) => known.has(n))) return marker;
    return numbers.map((n) => `[${n}](#cite-${n})`).join('');
  });
  if (citations && citations.cited.length === 0) {
    for (const { sentence, n } of citations.supported) {
      const at = out.indexOf(sentence);
      if (at < 0 || !known.has(n)) continue;
      const end = at + sentence.length;
      out = `${out.slice(0, end)} [${n}](#support-${n})${out.slice(end)}`;
    }
  }
  return out;
}

/** A citation chip: the source's number; a click opens the passage in the sources panel. */
export function CitationChip({
  n,
  supported,
  onOpen,
}: {
  n: number;
  supported?: boolean;
  onOpen: (n: number) => void;
}) {
  return (
    <button
      type="button"
      className={`cite-chip${supported ? ' supported' : ''}`}
      data-testid="cite-chip"
      data-n={n}
      aria-label={`Source ${n}${supported ? ' (supports this sentence)' : ''}`}
      title={supported ? 'The passage says this (checked by the server)' : `Source ${n}`}
      onClick={() => onOpen(n)}
    >
      {n}
    </button>
  );
}

type PanelProps = {
  sources: Source[];
  citations?: Citations;
  open?: number;
  onOpen: (n: number | undefined) => void;
};

/** The passages the reply was given, the cited ones marked; the open one shows its text. */
export function SourcesPanel({ sources, citations, open, onOpen }: PanelProps) {
  const passage = useRef<HTMLElement>(null);
  const shown = sources.find((s) => s.n === open);
  const labels = sourceLabels(sources);
  const shownLabel = labels[sources.findIndex((s) => s.n === open)];
  useEffect(() => {
    if (shown) passage.current?.scrollIntoView?.({ block: 'nearest' });
  }, [shown]);
  const used = new Set([
    ...(citations?.cited ?? []),
    ...(citations?.supported ?? []).map((s) => s.n),
  ]);
  const summary = !citations
    ? `${sources.length} passages searched`
    : used.size
      ? `${used.size} of ${sources.length} passages cited`
      : `${sources.length} passages searched, none cited`;
  return (
    <section className="sources" aria-label="Sources" data-testid="sources">
      <h3 className="sources-title">
        Sources <span className="muted">{summary}</span>
      </h3>
      {citations && citations.invalid.length > 0 && (
        <p className="invalid-citations" data-testid="invalid-citations">
          The reply names {citations.invalid.map((n) => `[${n}]`).join(', ')}, which{' '}
          {citations.invalid.length === 1 ? 'is' : 'are'} not among the sources.
        </p>
      )}
      <ol className="source-list">
        {sources.map((source, i) => (
          <li key={`${source.n}-${source.sourceId}`}>
            <button
              type="button"
              className="source-item"
              data-testid="source-item"
              data-n={source.n}
              data-cited={used.has(source.n)}
              aria-expanded={source.n === open}
              onClick={() => onOpen(source.n === open ? undefined : source.n)}
            >
              <span className="source-n">{source.n}</span>
              <span className="source-label" dir="auto">
                {labels[i]}
                <span className="muted"> · {source.file.split('/').pop()}</span>
              </span>
            </button>
          </li>
        ))}
      </ol>
      {shown && (
        <figure className="passage" data-testid="passage" data-n={shown.n} ref={passage}>
          <figcaption>
            <strong>
              [{shown.n}] {shownLabel}
            </strong>
            <span className="muted"> {shown.file}</span>
            <button
              type="button"
              className="icon-button small"
              aria-label="Close passage"
              onClick={() => onOpen(undefined)}
            >
              ×
            </button>
          </figcaption>
          <blockquote data-testid="passage-text" dir="auto">
            {shown.text}
          </blockquote>
        </figure>
      )}
    </section>
  );
}
