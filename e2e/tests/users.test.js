// Users in the browser (issue 15): on the demo district the administrator creates a
// commune officer on the users page, with a role and a unit; the password shown once is
// the one the new officer signs in with, in a browser of their own, and the officer
// lands on their commune's home.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser } from '../lib/browser.js';

const browser = useBrowser();
const demo = process.env.GIAMNGHEO_DEMO_URL;
// "demo.admin:password,demo.office:password,…", printed by `giamngheo demo`.
const demoUsers = Object.fromEntries(
  (process.env.E2E_DEMO_USERS || '')
    .split(',')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)]),
);

async function signIn(page, username, password) {
  await page.goto(`${demo}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

test('a user created on the users page signs in with the password shown once and lands on its home', async () => {
  const admin = await browser().newContext();
  const page = await admin.newPage();
  await signIn(page, 'demo.admin', demoUsers['demo.admin']);
  await page.goto(`${demo}/users`);
  // The demo's commune, as the users page shows the demo commune officer's unit.
  const officerRow = page.locator('tr', { has: page.locator('td', { hasText: /^demo\.commune_officer$/ }) });
  const unitCell = await officerRow.locator('td').nth(2).innerText();
  const [, communeName, commune] = unitCell.match(/^(.*) \((\d+)\)$/);

  const username = `canbo.moi${Date.now() % 100000}`;
  const form = page.locator('form[action="/users"]');
  await form.locator('input[name=username]').fill(username);
  await form.locator('select[name=role]').selectOption('commune_officer');
  await form.locator('input[name=unit]').fill(commune);
  await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
  const shown = page.locator('code.password');
  assert.equal(await shown.count(), 1, await page.locator('main').innerText());
  const password = await shown.innerText();
  assert.ok(password.length >= 10, password);
  const row = page.locator('tr', { has: page.locator('td', { hasText: new RegExp(`^${username}$`) }) });
  assert.match(await row.innerText(), new RegExp(`${commune}`));
  // Shown once: the page opened again does not show it.
  await page.goto(`${demo}/users`);
  assert.equal(await page.locator('code.password').count(), 0);
  assert.ok(!(await page.content()).includes(password));
  await admin.close();

  // The new officer, in a browser of their own.
  const fresh = await browser().newContext();
  const own = await fresh.newPage();
  await signIn(own, username, password);
  assert.equal(new URL(own.url()).pathname, '/');
  assert.doesNotMatch(await own.locator('h1').first().innerText(), /Có lỗi|Đăng nhập/);
  assert.match(await own.locator('main').innerText(), new RegExp(communeName));
  assert.match(await own.locator('header .who').innerText(), new RegExp(username));
  // A commune officer's home: the households awaiting something in their commune.
  assert.equal(await own.locator('#awaiting-h').count(), 1);
  await fresh.close();
});
