// What every browser test shares: one Chromium per test file, signing in, and submitting
// a form. It lives outside tests/ so that the test runner does not take it for a test.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const base = process.env.GIAMNGHEO_URL;
export const password = process.env.E2E_PASSWORD;

// Starts Debian's Chromium before the file's tests and stops it after them; the
// returned function gives the running browser.
export function useBrowser() {
  let browser;
  before(async () => {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser;
}

// Fills the login form of the page the browser is on and waits for the page after it.
export async function fillLogin(page, username) {
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

// Opens the login page and signs in.
export async function signIn(page, username) {
  await page.goto(`${base}/login`);
  await fillLogin(page, username);
}

// Clicks a submit button, waits for the next page and fails with the page if it is an
// error page.
export async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
  assert.doesNotMatch(await page.locator('h1').first().innerText(), /Có lỗi/, await page.content());
}
