import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type TestServer } from '../helpers/server.ts';
import { type Browser, openBrowser, registerInUi, screenshot } from './browser.ts';

/** Linking a Slack account to a Parity account through the one-time URL of `/parity link`. */

const SECRET = 'test-signing-secret';

describe('linking a chat account', () => {
  let server: TestServer;
  let slack: Client;

  beforeAll(async () => {
    server = await startServer({ env: { SLACK_SIGNING_SECRET: SECRET } });
    // Slack sends no cookie and no Origin: a bare client.
    slack = new Client(server.url);
  });
  afterAll(async () => {
    await server?.close();
  });

  let commands = 0;

  /** Runs `/parity link` as alice in workspace T0001, signed as Slack signs; returns the code. */
  async function linkCode(): Promise<string> {
    // Slack's trigger_id differs per invocation, so two commands in one second are not one
    // signature seen twice (which the server refuses as a replay).
    commands += 1;
    const body = new URLSearchParams({
      token: 'x',
      team_id: 'T0001',
      team_domain: 'acme',
      channel_id: 'C0001',
      channel_name: 'forecasting',
      user_id: 'U0001',
      user_name: 'alice',
      command: '/parity',
      text: 'link',
      api_app_id: 'A0001',
      response_url: 'http://127.0.0.1:9/commands/1',
      trigger_id: `1.2.${commands}`,
    }).toString();
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
    const r = await slack.raw('POST', '/api/integrations/slack/command', {
      body,
      origin: false,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': ts,
        'x-slack-signature': signature,
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // The URL is built from PUBLIC_URL or http://localhost:<port>: only the code is used here.
    const m = /\/link\/([A-Za-z0-9_-]{32})/.exec(JSON.stringify(r.body));
    expect(m, `no link URL in ${JSON.stringify(r.body)}`).not.toBeNull();
    return m![1]!;
  }

  it('sends a signed-out visitor to sign in, then back to the link', async () => {
    const code = await linkCode();
    const b: Browser = await openBrowser({ width: 390, height: 844, colorScheme: 'dark' });
    try {
      const page = b.page;
      await page.goto(`${server.url}/link/${code}`);
      await page.getByTestId('login-username').waitFor();
      const at = new URL(page.url());
      expect(at.pathname).toBe('/login');
      expect(at.searchParams.get('next')).toBe(`/link/${code}`);
      // Creating an account on that page continues to the link.
      await page.getByTestId('register-tab').click();
      await page.getByTestId('login-username').fill('carol_links');
      await page.getByTestId('login-password').fill('password-123');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('link-confirm').waitFor();
      expect(new URL(page.url()).pathname).toBe(`/link/${code}`);
      expect(await page.getByTestId('link-preview').textContent()).toContain('carol_links');
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow, `the link page scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(1);
      await screenshot(page, 'link-page-phone-dark');
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }
  });

  it('links once, lists the account on /me, keeps the reminder setting and unlinks', async () => {
    const b: Browser = await openBrowser();
    try {
      const page = b.page;
      await registerInUi(page, server.url, 'bob_links');
      const code = await linkCode();

      await page.goto(`${server.url}/link/${code}`);
      await page.getByTestId('link-confirm').waitFor();
      const preview = (await page.getByTestId('link-preview').textContent()) ?? '';
      expect(preview).toBe(
        'Link the Slack account @alice (workspace T0001) to your Parity account bob_links?',
      );
      expect(await page.locator('.link-card time').getAttribute('datetime')).toMatch(
        /^\d{4}-\d\d-\d\dT/,
      );
      await screenshot(page, 'link-page');
      await page.getByTestId('link-confirm').click();
      const done = page.getByTestId('link-done');
      await done.waitFor();
      expect(await done.textContent()).toContain('Back in Slack, /forecast <market> 65%');

      // The code is single use: the same URL now says to ask for a new one. Its preview
      // request answers 404 by design, which the browser logs.
      await page.goto(`${server.url}/link/${code}`);
      const error = page.getByTestId('link-error');
      await error.waitFor();
      expect(await error.textContent()).toContain('/parity link');
      expect(await page.getByTestId('link-confirm').count()).toBe(0);
      await page.waitForTimeout(100);
      const unexpected = b.errors.splice(0).filter((e) => !/status of 404/.test(e));
      expect(unexpected).toEqual([]);

      await page.goto(`${server.url}/me`);
      const section = page.getByTestId('chat-accounts');
      await section.getByTestId('chat-link').first().waitFor();
      expect(await section.getByTestId('chat-link').count()).toBe(1);
      const row = (await section.getByTestId('chat-link').textContent()) ?? '';
      expect(row).toContain('Slack');
      expect(row).toContain('@alice');
      expect(row).toContain('T0001');

      // Reminders are on until turned off, and stay off across a reload.
      const reminders = section.getByTestId('chat-reminders');
      expect(await reminders.isChecked()).toBe(true);
      await reminders.click();
      await page.waitForFunction(() => {
        const box = document.querySelector<HTMLInputElement>('[data-testid="chat-reminders"]');
        return box !== null && !box.disabled && !box.checked;
      });
      await page.reload();
      await section.getByTestId('chat-link').first().waitFor();
      expect(await reminders.isChecked()).toBe(false);
      await screenshot(page, 'me-chat-accounts');

      await section.getByTestId('chat-unlink').click();
      await section.getByText('None linked yet').waitFor();
      expect(await section.getByTestId('chat-link').count()).toBe(0);
      await page.reload();
      await section.getByText('None linked yet').waitFor();
      expect(await section.textContent()).toContain('/parity link');
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }
  }, 60_000);
});
