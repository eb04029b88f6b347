import { useCallback, useLayoutEffect, useRef, useState } from 'react';

const THRESHOLD_PX = 48;

/**
 * Keeps a scroll container pinned to the bottom while content grows, unless the user has
 * scrolled up to read: then it stays put and `atBottom` is false (show a "jump" button).
 */
export function useAutoScroll<T extends HTMLElement>(content: unknown) {
  const ref = useRef<T>(null);
  const stick = useRef(true);
  const [atBottom, setAtBottom] = useState(true);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight <= THRESHOLD_PX;
    stick.current = bottom;
    setAtBottom(bottom);
  }, []);

  const scrollToBottom = useCallback((behavior: ScrollBehavior = 'auto') => {
    const el = ref.current;
    if (!el) return;
    stick.current = true;
    setAtBottom(true);
    el.scrollTo({ top: el.scrollHeight, behavior });
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `content` is the trigger (new text arrived)
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [content]);

  return { ref, onScroll, atBottom, scrollToBottom };
}
