import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// findBy/waitFor wait up to 5 s (default 1 s): a busy machine (CI, a shared laptop) is slow.
configure({ asyncUtilTimeout: 5000 });

// jsdom has no layout, so no Element.scrollTo; browsers do.
Element.prototype.scrollTo ??= function scrollTo(
  this: Element,
  options?: ScrollToOptions | number,
) {
  if (typeof options === 'object' && options.top !== undefined) this.scrollTop = options.top;
};

afterEach(cleanup);

// jsdom has no matchMedia; answer as a desktop browser with a mouse would.
window.matchMedia ??= (query: string) =>
  ({
    matches: query === '(pointer: fine)',
    media: query,
    onchange: null,
    addEventListener: () => {},
    removeEventListener: () => {},
    addListener: () => {},
    removeListener: () => {},
    dispatchEvent: () => false,
  }) as MediaQueryList;
