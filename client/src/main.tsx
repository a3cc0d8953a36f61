import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App, preloadPage } from './App.tsx';
import { preferredTheme } from './lib/savedTheme.ts';
import { prefetchFor } from './prefetch.ts';
import './styles.css';

document.documentElement.dataset.theme = preferredTheme();

const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 5_000, retry: 1, refetchOnWindowFocus: false } },
});

const { pathname, search } = window.location;
prefetchFor(queryClient, pathname, search);
// The first page's chunk is loaded before the first render, so it never shows a fallback.
void preloadPage(pathname)
  .catch(() => undefined)
  .then(() =>
    createRoot(document.getElementById('root')!).render(
      <StrictMode>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter>
            <App />
          </BrowserRouter>
        </QueryClientProvider>
      </StrictMode>,
    ),
  );
