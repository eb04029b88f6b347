import { describe, expect, it } from 'vitest';
import { safeImageUrl, safeLinkUrl } from './safe-urls';

describe('safeLinkUrl', () => {
  it.each(['https://example.com/a?b=c', 'http://example.com', 'mailto:a@example.com'])(
    'keeps %s',
    (url) => expect(safeLinkUrl(url)).toBe(new URL(url).href),
  );

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
  ])('drops %s', (url) => expect(safeLinkUrl(url)).toBeUndefined());

  it('keeps in-page links (footnotes) as fragments', () => {
    expect(safeLinkUrl('#user-content-r1-fn-1')).toBe('#user-content-r1-fn-1');
    expect(safeLinkUrl('#x" onclick="y')).toBe(`${window.location.origin}/#x%22%20onclick=%22y`);
  });

  it('resolves relative links against this origin', () => {
    expect(safeLinkUrl('/docs')).toBe(`${window.location.origin}/docs`);
  });
});

describe('safeImageUrl', () => {
  it('loads no remote image by default (no host is allowlisted)', () => {
    expect(safeImageUrl('https://evil.example/pixel.png?leak=secret')).toBeUndefined();
    expect(safeImageUrl('data:image/svg+xml,<svg onload=alert(1)>')).toBeUndefined();
    expect(safeImageUrl('javascript:alert(1)')).toBeUndefined();
  });
});
