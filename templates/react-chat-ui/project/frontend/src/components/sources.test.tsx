import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../lib/types';
import { Message } from './message';
import { citationsOf, sourceLabels, sourcesOf, withCitationLinks } from './sources';

const passage = (n: number, file: string, heading: string, text: string) => ({
  type: 'source-document' as const,
  sourceId: `chunk-${10 + n}`,
  mediaType: 'text/markdown',
  title: file.replace('docs/', ''),
  filename: file,
  providerMetadata: { rag: { n, chunkId: 10 + n, heading, text } },
});

const SOURCES = [
  passage(1, 'docs/hnsw.md', 'How a search works', 'A query starts at a fixed entry point.'),
  passage(2, 'docs/pgvector.md', 'Operators', 'The <=> operator is the cosine distance.'),
];

function reply(text: string, citations?: object): ChatMessage {
  return {
    id: 'a1',
    role: 'assistant',
    parts: [
      ...SOURCES,
      { type: 'text', text },
      ...(citations ? [{ type: 'data-citations' as const, id: 'citations', data: citations }] : []),
    ],
  };
}

function renderReply(message: ChatMessage) {
  render(
    <Message
      message={message}
      streaming={false}
      canEdit={false}
      canRegenerate={false}
      onEdit={() => {}}
      onRegenerate={() => {}}
    />,
  );
}

describe('withCitationLinks', () => {
  const sources = sourcesOf(reply(''));

  it('links the [n] that name a source and leaves any other number as text', () => {
    expect(withCitationLinks('A [1]. B [1, 2]. C [7]. D [2, 9].', sources)).toBe(
      'A [1](#cite-1). B [1](#cite-1)[2](#cite-2). C [7]. D [2, 9].',
    );
  });

  it('marks the supported sentences only when the model wrote no valid [n]', () => {
    const supported = [{ sentence: 'It starts at an entry point.', n: 1 }];
    expect(
      withCitationLinks('It starts at an entry point. Then more.', sources, {
        cited: [],
        invalid: [],
        supported,
      }),
    ).toBe('It starts at an entry point. [1](#support-1) Then more.');
    expect(
      withCitationLinks('It starts at an entry point [2].', sources, {
        cited: [2],
        invalid: [],
        supported,
      }),
    ).toBe('It starts at an entry point [2](#cite-2).');
  });

  it('reads sources and citations back from stored message parts', () => {
    const message = reply('x', { cited: [1], invalid: [], supported: [] });
    expect(sourcesOf(message).map((s) => [s.n, s.file, s.heading])).toEqual([
      [1, 'docs/hnsw.md', 'How a search works'],
      [2, 'docs/pgvector.md', 'Operators'],
    ]);
    expect(citationsOf(message)?.cited).toEqual([1]);
    expect(sourcesOf({ id: 'u', role: 'user', parts: [{ type: 'text', text: 'hi' }] })).toEqual([]);
  });
});

describe('citations in a reply', () => {
  it('a chip opens its passage: text, heading and file', async () => {
    const events = userEvent.setup();
    renderReply(
      reply('It starts at an entry point [2]. Not a source [7].', {
        cited: [2],
        invalid: [7],
        supported: [],
      }),
    );
    const chips = await screen.findAllByTestId('cite-chip', {}, { timeout: 15_000 });
    expect(chips.map((c) => c.textContent)).toEqual(['2']);
    expect(screen.getByTestId('message-content')).toHaveTextContent('Not a source [7].');
    expect(screen.getByTestId('invalid-citations')).toHaveTextContent('[7]');
    expect(screen.queryByTestId('passage')).toBeNull();

    await events.click(chips[0]);
    const shown = screen.getByTestId('passage');
    expect(shown).toHaveAttribute('data-n', '2');
    expect(shown).toHaveTextContent('Operators');
    expect(shown).toHaveTextContent('docs/pgvector.md');
    expect(within(shown).getByTestId('passage-text')).toHaveTextContent(
      'The <=> operator is the cosine distance.',
    );
    await events.click(screen.getByRole('button', { name: 'Close passage' }));
    expect(screen.queryByTestId('passage')).toBeNull();
  }, 20_000);

  it('the panel lists every source, marks the cited ones and opens any of them', async () => {
    const events = userEvent.setup();
    renderReply(
      reply('It starts at an entry point [1].', { cited: [1], invalid: [], supported: [] }),
    );
    const items = screen.getAllByTestId('source-item');
    expect(items.map((i) => i.getAttribute('data-cited'))).toEqual(['true', 'false']);
    expect(screen.getByTestId('sources')).toHaveTextContent('1 of 2 passages cited');
    await events.click(items[1]);
    expect(screen.getByTestId('passage')).toHaveAttribute('data-n', '2');
  });

  it('no citation and no supported sentence: no chip, and the panel says none is cited', async () => {
    renderReply(
      reply('I cannot tell the weather on Mars.', { cited: [], invalid: [], supported: [] }),
    );
    const text = await screen.findByText(
      'I cannot tell the weather on Mars.',
      {},
      { timeout: 15_000 },
    );
    expect(text.tagName).toBe('P');
    expect(screen.queryAllByTestId('cite-chip')).toHaveLength(0);
    expect(screen.getByTestId('sources')).toHaveTextContent('2 passages searched, none cited');
  }, 20_000);

  it('labels are plain text, and sources from the same section are told apart', () => {
    const message: ChatMessage = {
      id: 'a3',
      role: 'assistant',
      parts: [
        passage(1, 'docs/hnsw.md', '## `ef_search` and **recall**', 'One.'),
        passage(2, 'docs/hnsw.md', '## `ef_search` and **recall**', 'Two.'),
        passage(3, 'docs/query-latency.html', '', 'Three.'),
        passage(4, 'docs/release_notes.md', '', 'Four.'),
      ],
    };
    expect(sourceLabels(sourcesOf(message))).toEqual([
      'ef_search and recall',
      'ef_search and recall (2)',
      'query latency',
      'release notes',
    ]);
    renderReply(message);
    const labels = screen.getAllByTestId('source-item').map((i) => i.textContent);
    expect(labels[0]).toBe('1ef_search and recall · hnsw.md');
    expect(labels[1]).toBe('2ef_search and recall (2) · hnsw.md');
    expect(new Set(labels).size).toBe(4);
  });

  it('a reply without sources shows no panel', () => {
    renderReply({ id: 'a2', role: 'assistant', parts: [{ type: 'text', text: 'Hi [1].' }] });
    expect(screen.queryByTestId('sources')).toBeNull();
  });
});
