import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router-dom';
import { Layout } from './components/Layout.tsx';
import { MarketsPage } from './pages/MarketsPage.tsx';

// The markets list loads with the app; every other page is its own chunk.
const MarketPage = lazy(() => import('./pages/MarketPage.tsx'));
const MePage = lazy(() => import('./pages/MePage.tsx'));
const UserPage = lazy(() => import('./pages/UserPage.tsx'));
const LeaderboardPage = lazy(() => import('./pages/LeaderboardPage.tsx'));
const LoginPage = lazy(() => import('./pages/LoginPage.tsx'));
const AdminPage = lazy(() => import('./pages/AdminPage.tsx'));
const ChannelPage = lazy(() => import('./pages/ChannelPage.tsx'));
const EmbedPage = lazy(() => import('./pages/EmbedPage.tsx'));

function Loading() {
  return (
    <p className="muted loading" aria-live="polite">
      Loading…
    </p>
  );
}

export function NotFound() {
  return (
    <section className="page narrow">
      <h1>Not found</h1>
      <p>There is nothing at this address.</p>
    </section>
  );
}

export function App() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        {/* Frameless routes: a board for a wall screen and a card for iframes. */}
        <Route path="/channel" element={<ChannelPage />} />
        <Route path="/embed/:marketId" element={<EmbedPage />} />
        <Route
          path="*"
          element={
            <Layout>
              <Suspense fallback={<Loading />}>
                <Routes>
                  <Route path="/" element={<MarketsPage />} />
                  <Route path="/markets/:id" element={<MarketPage />} />
                  <Route path="/users/:username" element={<UserPage />} />
                  <Route path="/leaderboard" element={<LeaderboardPage />} />
                  <Route path="/me" element={<MePage />} />
                  <Route path="/login" element={<LoginPage />} />
                  <Route path="/admin" element={<AdminPage />} />
                  <Route path="*" element={<NotFound />} />
                </Routes>
              </Suspense>
            </Layout>
          }
        />
      </Routes>
    </Suspense>
  );
}
