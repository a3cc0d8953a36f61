import { Suspense } from 'react';
import { Route, Routes } from 'react-router-dom';
import { Layout } from './components/Layout.tsx';
import { lazyPage } from './lazyPage.ts';
import { MarketsPage } from './pages/MarketsPage.tsx';

// The markets list loads with the app; every other page is its own chunk.
const MarketPage = lazyPage(() => import('./pages/MarketPage.tsx'));
const MePage = lazyPage(() => import('./pages/MePage.tsx'));
const UserPage = lazyPage(() => import('./pages/UserPage.tsx'));
const LeaderboardPage = lazyPage(() => import('./pages/LeaderboardPage.tsx'));
const LoginPage = lazyPage(() => import('./pages/LoginPage.tsx'));
const AdminPage = lazyPage(() => import('./pages/AdminPage.tsx'));
const ChannelPage = lazyPage(() => import('./pages/ChannelPage.tsx'));
const EmbedPage = lazyPage(() => import('./pages/EmbedPage.tsx'));
const LinkPage = lazyPage(() => import('./pages/LinkPage.tsx'));
const SpacePage = lazyPage(() => import('./pages/SpacePage.tsx'));
const NewSpacePage = lazyPage(() => import('./pages/NewSpacePage.tsx'));
const InvitePage = lazyPage(() => import('./pages/InvitePage.tsx'));
const ProposalsPage = lazyPage(() => import('./pages/ProposalsPage.tsx'));

const BY_PREFIX: [string, { preload(): Promise<unknown> }][] = [
  ['/markets/', MarketPage],
  ['/me', MePage],
  ['/users/', UserPage],
  ['/leaderboard', LeaderboardPage],
  ['/login', LoginPage],
  ['/admin', AdminPage],
  ['/channel', ChannelPage],
  ['/embed/', EmbedPage],
  ['/link/', LinkPage],
  // Before /spaces/: the longer prefix wins.
  ['/spaces/new', NewSpacePage],
  ['/spaces/', SpacePage],
  ['/invite/', InvitePage],
  ['/proposals', ProposalsPage],
];

/** Loads the chunk of the page at `pathname` (nothing for the markets list, which is built in). */
export function preloadPage(pathname: string): Promise<unknown> {
  const hit = BY_PREFIX.find(([prefix]) => pathname.startsWith(prefix));
  return hit ? hit[1].preload() : Promise.resolve();
}

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
                  <Route path="/link/:code" element={<LinkPage />} />
                  <Route path="/spaces/new" element={<NewSpacePage />} />
                  <Route path="/spaces/:id" element={<SpacePage />} />
                  <Route path="/invite/:token" element={<InvitePage />} />
                  <Route path="/proposals" element={<ProposalsPage />} />
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
