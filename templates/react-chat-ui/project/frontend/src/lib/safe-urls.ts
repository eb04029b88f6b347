/**
 * URL allowlist for model output. Model text is untrusted: a prompt-injected reply can carry
 * `javascript:` links, or images whose URL smuggles conversation data to another server.
 */

/** Protocols a link in a reply may use. Relative links resolve to this app's origin. */
export const LINK_PROTOCOLS = ['http:', 'https:', 'mailto:'];

/**
 * Hosts images in a reply may load from. Empty (the default) means no remote image is
 * fetched: the image shows as its alt text. Add hosts you trust, e.g. 'upload.wikimedia.org'.
 */
export const IMAGE_HOSTS: string[] = [];

function parse(url: string): URL | undefined {
  try {
    return new URL(url, window.location.origin);
  } catch {
    return undefined;
  }
}

export function safeLinkUrl(url: string): string | undefined {
  if (/^#[\w-]+$/.test(url)) return url; // a link within the page (footnotes): stays as it is
  const parsed = parse(url);
  return parsed && LINK_PROTOCOLS.includes(parsed.protocol) ? parsed.href : undefined;
}

export function safeImageUrl(url: string): string | undefined {
  const parsed = parse(url);
  if (parsed?.protocol !== 'https:') return undefined;
  return IMAGE_HOSTS.includes(parsed.hostname) ? parsed.href : undefined;
}

/** react-markdown `urlTransform`: returning undefined drops the attribute. */
export function urlTransform(url: string, key: string): string | undefined {
  return key === 'src' ? safeImageUrl(url) : safeLinkUrl(url);
}
