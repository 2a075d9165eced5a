// Daily use (issue 15) in Chromium, on the demo district: each of the seven demo roles
// signs in, lands on its own home, and every link of its menu opens with 200; on a
// 390 px phone the households page and a household's page never scroll sideways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser } from '../lib/browser.js';

const browser = useBrowser();
const demo = process.env.GIAMNGHEO_DEMO_URL;
// "demo.admin:password,demo.office:password,…", printed by `giamngheo demo`.
const users = (process.env.E2E_DEMO_USERS || '')
  .split(',')
  .filter(Boolean)
  .map((pair) => {
    const at = pair.indexOf(':');
    return { username: pair.slice(0, at), password: pair.slice(at + 1) };
  });

async function signIn(page, user) {
  await page.goto(`${demo}/login`);
  await page.fill('input[name=username]', user.username);
  await page.fill('input[name=password]', user.password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

test('each demo role lands on its home and every menu link opens with 200', async () => {
  assert.equal(users.length, 7, 'one demo user per role');
  const failures = [];
  for (const user of users) {
    const context = await browser().newContext();
    const page = await context.newPage();
    await signIn(page, user);
    const home = await page.goto(`${demo}/`);
    assert.equal(home.status(), 200, `${user.username}: /`);
    assert.ok(await page.locator('h1').count(), `${user.username}: the home has a title`);
    const links = await page
      .locator('nav.main a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(links.some((l) => l.startsWith('/reports')), `${user.username}: ${links}`);
    for (const link of links) {
      const answer = await page.goto(`${demo}${link}`);
      if (answer.status() !== 200) {
        failures.push(`${user.username}: ${link} → ${answer.status()}`);
      }
    }
    await context.close();
  }
  assert.deepEqual(failures, []);
});

test('the commune officer home lists the households awaiting phiếu B', async () => {
  const officer = users.find((u) => u.username === 'demo.commune_officer');
  const page = await browser().newPage();
  await signIn(page, officer);
  await page.goto(`${demo}/`);
  const awaiting = page.locator('#awaiting-h');
  assert.equal(await awaiting.innerText(), 'Hộ đang chờ xử lý');
  assert.match(await page.locator('section[aria-labelledby=awaiting-h]').innerText(), /Chưa nhập phiếu B/);
  await page.close();
});

test('on a 390 px phone the household pages never scroll sideways', async () => {
  const officer = users.find((u) => u.username === 'demo.commune_officer');
  const context = await browser().newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
  });
  const page = await context.newPage();
  await signIn(page, officer);
  const overflow = () =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  for (const path of ['/households', '/']) {
    await page.goto(`${demo}${path}`);
    assert.ok((await overflow()) <= 0, `${path} scrolls sideways by ${await overflow()} px`);
  }
  await page.goto(`${demo}/households`);
  await Promise.all([page.waitForNavigation(), page.locator('table.households tbody a').first().click()]);
  assert.match(page.url(), /\/households\/\d+/);
  assert.ok((await overflow()) <= 0, `a household's page scrolls sideways by ${await overflow()} px`);
  // The header takes one line: its height is about that of one row of links.
  const header = await page.locator('header.top').boundingBox();
  assert.ok(header.height < 80, `the header is ${header.height} px high`);
  await page.screenshot({ path: 'test-results/phone-household.png', fullPage: true }).catch(() => {});
  await context.close();
});
