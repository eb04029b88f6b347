import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { preloadMarkdown } from './components/message';
import { applyTheme, storedTheme } from './components/theme-toggle';
import './styles.css';

applyTheme(storedTheme()); // before the first paint: no flash of the other theme

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

preloadMarkdown();
