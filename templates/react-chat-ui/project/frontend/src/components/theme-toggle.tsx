import { useEffect, useState } from 'react';
import { AutoIcon, MoonIcon, SunIcon } from './icons';

export type Theme = 'system' | 'light' | 'dark';
const THEME_KEY = 'chat.theme';
const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };

export function storedTheme(): Theme {
  const value = localStorage.getItem(THEME_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

/** Light and dark follow the system unless the user picks one (`<html data-theme>`). */
export function applyTheme(theme: Theme) {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(storedTheme);
  useEffect(() => {
    applyTheme(theme);
    if (theme === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, theme);
  }, [theme]);
  const Icon = theme === 'light' ? SunIcon : theme === 'dark' ? MoonIcon : AutoIcon;
  return (
    <button
      type="button"
      className="icon-button theme-toggle"
      onClick={() => setTheme(NEXT[theme])}
      aria-label={`Theme: ${theme} (switch to ${NEXT[theme]})`}
      title={`Theme: ${theme}`}
      data-testid="theme-toggle"
    >
      <Icon />
    </button>
  );
}
