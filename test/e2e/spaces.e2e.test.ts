import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import {
  type Browser,
  openBrowser,
  probabilityOf,
  registerInUi,
  screenshot,
  waitForText,
} from './browser.ts';

/**
 * A private space from start to finish, in three browsers: its owner makes it and an invite
 * link, a second person joins and proposes a question, the owner approves it, the member trades
 * and comments (the owner sees the comment arrive live), and an outsider sees none of it.
 */

const SPACE = 'Forecasting guild';
const QUESTION = 'Will the guild ship its v2 forecasts before the offsite?';
const COMMENT = 'Shipping looks likely: see https://example.com/plan. <b>not bold</b>';

describe('a private space in the browser', () => {
  let server: TestServer;
  let owner: Browser;
  let member: Browser;
  let outsider: Browser;
  let spaceUrl = '';
  let inviteUrl = '';
  let marketId = '';

  beforeAll(async () => {
    server = await startServer();
    [owner, member, outsider] = await Promise.all([openBrowser(), openBrowser(), openBrowser()]);
  });
  afterAll(async () => {
    await Promise.all([owner?.close(), member?.close(), outsider?.close()]);
    await server?.close();
  });

  it('creates a private space from the header switcher and an invite link to it', async () => {
    const page = owner.page;
    await registerInUi(page, server.url, 'guild_owner');
    await page.getByTestId('space-switcher').click();
    await page.getByTestId('space-menu').getByRole('link', { name: 'New space' }).click();
    await page.getByLabel('Name').fill(SPACE);
    await page.getByTestId('space-visibility-private').check();
    await page.getByTestId('space-create').click();

    await page.getByTestId('space-page').waitFor();
    spaceUrl = new URL(page.url()).pathname;
    expect(spaceUrl).toMatch(/^\/spaces\/sp_[A-Za-z0-9_-]{16}$/);
    expect(await page.getByTestId('space-name').textContent()).toBe(SPACE);
    expect(await page.getByTestId('space-visibility').first().textContent()).toBe('Private space');
    // The switcher now names the space and lists it.
    await waitForText(page, 'space-switcher', (t) => t.includes(SPACE));

    await page.getByRole('tab', { name: 'Invite' }).click();
    await page.getByTestId('invite-role').selectOption('member');
    await page.getByTestId('invite-max-uses').fill('5');
    await page.getByTestId('invite-expiry').selectOption('7');
    await page.getByTestId('invite-create').click();
    inviteUrl = (await waitForText(page, 'invite-url', (t) => t.includes('/invite/'))).trim();
    expect(inviteUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/invite\/[A-Za-z0-9_-]{32}$/);
    await page.getByRole('button', { name: 'Copy link' }).waitFor();
    await screenshot(page, 'space-invite');
    expect(owner.errors).toEqual([]);
  });

  it('lets a second person join by the invite link and propose a question', async () => {
    const page = member.page;
    await registerInUi(page, server.url, 'guild_member');
    await page.goto(inviteUrl);
    await page.getByTestId('invite-preview').waitFor();
    expect(await page.getByTestId('invite-space-name').textContent()).toBe(SPACE);
    expect(await page.getByTestId('space-visibility').textContent()).toBe('Private space');
    expect(await page.getByTestId('invite-role-name').textContent()).toBe('member');
    await screenshot(page, 'space-invite-preview');
    await page.getByTestId('invite-join').click();

    await page.getByTestId('space-page').waitFor();
    expect(new URL(page.url()).pathname).toBe(spaceUrl);
    expect(await page.getByTestId('space-name').textContent()).toBe(SPACE);
    await page.getByTestId('space-switcher').click();
    expect(await page.getByTestId('space-menu').textContent()).toContain(SPACE);
    await page.keyboard.press('Escape');

    await page.getByRole('tab', { name: 'Propose a question' }).click();
    await page.getByTestId('proposal-question').fill(QUESTION);
    await page
      .getByTestId('proposal-criteria')
      .fill('Resolves Yes if v2 forecasts are published on the wiki before the offsite starts.');
    await page.getByTestId('proposal-submit').click();
    await waitForText(page, 'proposal-sent', (t) => t.includes(QUESTION));
    expect(member.errors).toEqual([]);
  });

  it("approves the proposal from the owner's review queue", async () => {
    const page = owner.page;
    await page.goto(`${server.url}/proposals`);
    await page.getByRole('tab', { name: /Review queue/ }).click();
    const item = page.getByTestId('review-item').filter({ hasText: QUESTION });
    await item.waitFor();
    expect(await item.textContent()).toContain('guild_member');
    expect(await item.textContent()).toContain(SPACE);
    await screenshot(page, 'proposals-review');
    await item.getByTestId('approve').click();
    const opened = page.getByTestId('approved-market-link');
    await opened.waitFor();
    marketId = ((await opened.getAttribute('href')) ?? '').replace('/markets/', '');
    expect(marketId).toMatch(/^[a-z0-9-]+$/);
    // Approved, it leaves the queue.
    await page.getByTestId('review-empty').waitFor();
    expect(owner.errors).toEqual([]);
  });

  it('has the member trade and comment, and the owner sees the comment arrive live', async () => {
    // The owner watches the market first, with the discussion loaded.
    await owner.page.goto(`${server.url}/markets/${marketId}`);
    await owner.page.getByTestId('discussion-empty').waitFor();
    expect(await owner.page.getByTestId('market-space-name').textContent()).toBe(SPACE);

    const page = member.page;
    await page.goto(`${server.url}/proposals`);
    const mine = page.getByTestId('my-proposal').filter({ hasText: QUESTION });
    expect(await mine.getByTestId('proposal-status').textContent()).toBe('Approved');
    await mine.getByTestId('proposal-market-link').click();
    await page.getByTestId('market-page').waitFor();
    expect(await page.getByTestId('market-question').textContent()).toBe(QUESTION);
    expect(await page.getByTestId('market-space-name').textContent()).toBe(SPACE);
    expect(await page.getByTestId('space-visibility').textContent()).toBe('Private space');

    await page.getByTestId('trade-amount').fill('50');
    await waitForText(page, 'quote-cost', (t) => t.includes('cr'));
    await page.getByTestId('trade-submit').click();
    await waitForText(page, 'trade-result', (t) => t.startsWith('Bought'));
    // The owner's odds move live too: a private market's room reaches its members.
    await waitForText(owner.page, 'market-probability', (t) => probabilityOf(t) > 0.5);

    await page.getByTestId('comment-text').fill(COMMENT);
    await page.getByTestId('comment-submit').click();
    const mineShown = page.getByTestId('comment').filter({ hasText: 'Shipping looks likely' });
    await mineShown.waitFor();

    // No reload on the owner's side: the socket's `comment` event brings it.
    const live = owner.page.getByTestId('comment').filter({ hasText: 'Shipping looks likely' });
    await live.waitFor();
    expect(await live.locator('.comment-author').textContent()).toBe('guild_member');
    expect(await live.getByTestId('comment-position').textContent()).toMatch(
      /^holds \d+\.\d\d Yes$/,
    );
    // Text stays text; only the http(s) URL is a link, without the full stop after it.
    const text = live.getByTestId('comment-text');
    expect(await text.textContent()).toBe(COMMENT);
    expect(await text.locator('b').count()).toBe(0);
    const a = text.locator('a');
    expect(await a.count()).toBe(1);
    expect(await a.getAttribute('href')).toBe('https://example.com/plan');
    expect(await a.getAttribute('rel')).toBe('nofollow noopener noreferrer');
    expect(await a.getAttribute('target')).toBe('_blank');

    // A reply from the owner lands indented under it, live for the member.
    await live.getByTestId('comment-reply').click();
    await owner.page.getByTestId('reply-text').fill('Agreed, the draft is nearly done.');
    await owner.page.getByTestId('reply-submit').click();
    const reply = mineShown.locator('[data-testid="comment"][data-depth="1"]');
    await reply.filter({ hasText: 'Agreed, the draft is nearly done.' }).waitFor();
    expect(await reply.locator('.comment-author').textContent()).toBe('guild_owner');
    await screenshot(owner.page, 'market-discussion');
    expect(owner.errors).toEqual([]);
    expect(member.errors).toEqual([]);
  });

  it('shows an outsider none of it', async () => {
    const page = outsider.page;
    await registerInUi(page, server.url, 'outsider');
    // Not in the switcher.
    await page.getByTestId('space-switcher').click();
    const menu = page.getByTestId('space-menu');
    await menu.getByRole('link', { name: 'Public site' }).waitFor();
    await page.waitForTimeout(300);
    expect(await menu.getByTestId('space-menu-item').count()).toBe(0);
    expect(await menu.textContent()).not.toContain(SPACE);
    await page.keyboard.press('Escape');

    // The market and the space answer as addresses with nothing there.
    await page.goto(`${server.url}/markets/${marketId}`);
    await page.getByTestId('market-not-found').waitFor();
    expect(await page.textContent('body')).not.toContain(QUESTION);
    await page.goto(`${server.url}${spaceUrl}`);
    await page.getByTestId('space-not-found').waitFor();
    expect(await page.textContent('body')).not.toContain(SPACE);

    // Not on the home page's list, in any status, nor in what the API lists for them.
    await page.goto(server.url);
    await page.getByTestId('market-card').first().waitFor();
    expect(await page.getByTestId('market-card').count()).toBeGreaterThan(0);
    expect(await page.locator('main').textContent()).not.toContain(QUESTION);
    const listed = await page.evaluate(async () => {
      const r = await fetch('/api/markets?status=all');
      return ((await r.json()) as { markets: { id: string }[] }).markets.map((m) => m.id);
    });
    expect(listed).not.toContain(marketId);
    await screenshot(page, 'space-outsider');
    // Only the 404s of the two private addresses, which the browser logs.
    expect(outsider.errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });

  it("shows a private market's card to an outsider through a member's signed embed link", async () => {
    await owner.page.goto(`${server.url}/markets/${marketId}`);
    await owner.page.getByTestId('embed-create').click();
    const url = (await waitForText(owner.page, 'embed-url', (t) => t.includes('/embed/'))).trim();
    expect(url).toContain(`/embed/${marketId}?token=`);

    const page = outsider.page;
    outsider.errors.length = 0;
    await page.goto(url);
    await page.locator('[data-testid="embed-card"][data-state="ready"]').waitFor();
    expect(await page.locator('.embed-card-q').textContent()).toBe(QUESTION);
    const shown = probabilityOf((await page.getByTestId('embed-probability').textContent()) ?? '');
    expect(shown).toBeGreaterThan(0.5);

    // The card stays live: its socket subscribed with the token. The member sells out of Yes
    // (an API call from their page; the trading UI is not the point here).
    const status = await member.page.evaluate(async (id) => {
      const r = await fetch(`/api/markets/${id}/trades`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outcomeId: 'no', amountCents: 20_000 }),
      });
      return r.status;
    }, marketId);
    expect(status).toBe(200);
    await waitForText(page, 'embed-probability', (t) => probabilityOf(t) < shown);
    expect(outsider.errors).toEqual([]);

    // Without the token it is a market that does not exist.
    await page.goto(`${server.url}/embed/${marketId}`);
    await page.locator('[data-testid="embed-card"][data-state="error"]').waitFor();
    expect(await page.getByTestId('embed-card').textContent()).toContain(
      'This market does not exist.',
    );
  });

  it('fits a phone in the dark theme on every new page', async () => {
    const b = await openBrowser({ width: 390, height: 844, colorScheme: 'dark' });
    try {
      const page = b.page;
      await page.goto(`${server.url}/login`);
      await page.getByTestId('login-username').fill('guild_member');
      await page.getByTestId('login-password').fill('password-123');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('balance').waitFor();
      const pages = [
        { name: 'space-markets', path: spaceUrl, ready: 'space-markets' },
        { name: 'space-members', path: `${spaceUrl}?tab=members`, ready: 'members' },
        { name: 'space-propose', path: `${spaceUrl}?tab=propose`, ready: 'propose-form' },
        { name: 'proposals', path: '/proposals', ready: 'my-proposals' },
        { name: 'new-space', path: '/spaces/new', ready: 'space-create' },
        { name: 'market-discussion', path: `/markets/${marketId}`, ready: 'comment' },
      ];
      for (const p of pages) {
        await page.goto(`${server.url}${p.path}`);
        await page.getByTestId(p.ready).first().waitFor();
        await page.waitForTimeout(150);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - window.innerWidth,
        );
        expect(overflow, `${p.name} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(1);
        await screenshot(page, `${p.name}-phone-dark`);
      }
      // The switcher's list fits beside the header too.
      await page.getByTestId('space-switcher').click();
      const box = await page.getByTestId('space-menu').boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      await screenshot(page, 'space-switcher-phone-dark');
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }
  });
});
