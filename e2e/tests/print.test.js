// What the review procedure makes a commune print (issue 15): from the review's page, a
// commune officer downloads the list posted in a village (danh sách niêm yết) as a PDF,
// and opens the same list as a print page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { base, useBrowser, signIn, submit } from '../lib/browser.js';

const browser = useBrowser();

test('the posting list of a village downloads as a PDF from the review page', async () => {
  const context = await browser().newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, 'canbo.dienmy');

  // Nguyễn Văn Bình asks to be recognised; the request passes phiếu A and form B finds
  // the household poor.
  await page.goto(`${base}/households?q=nguyen+van+binh`);
  await Promise.all([page.waitForNavigation(), page.locator('table.households tbody a').first().click()]);
  await page.fill('#regular-review input[name=requester]', 'Nguyễn Văn Bình');
  await submit(page, '#regular-review button[type=submit]');
  const reviewUrl = page.url().split('?')[0];
  assert.match(reviewUrl, /\/reviews\/\d+$/);
  await submit(page, 'tr.sub form button[type=submit]');
  await submit(page, '#start-survey');
  await Promise.all([page.waitForNavigation(), page.locator('a[href*="/survey?village="]').first().click()]);
  const row = page.locator('table.survey-grid tbody tr', { hasText: 'DM-001' });
  await row.locator('input[name^=a]').fill('120');
  for (const code of ['employment', 'health_insurance', 'water', 'sanitation']) {
    await row.locator(`input[type=checkbox][value=${code}]`).check();
  }
  await submit(page, 'button.primary');
  await page.goto(reviewUrl);

  // The card of documents to print names the village; its PDF link downloads the list.
  const card = page.locator('#prints');
  assert.match(await card.innerText(), /Thôn Trung Hòa/);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    card.locator('a.posting-pdf[data-village="18502001"]').click(),
  ]);
  const id = reviewUrl.split('/').pop();
  assert.equal(download.suggestedFilename(), `niem-yet-${id}-18502001.pdf`);
  const bytes = await readFile(await download.path());
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.ok(bytes.length > 5000, `${bytes.length} bytes`);

  // The print page of the same list, with the household and its result.
  await Promise.all([
    page.waitForNavigation(),
    card.locator('a[href*="/print/posting?village=18502001"]').first().click(),
  ]);
  const sheet = await page.locator('section.sheet').innerText();
  assert.match(sheet, /DANH SÁCH NIÊM YẾT CÔNG KHAI/);
  assert.match(sheet, /Nguyễn Văn Bình/);
  assert.match(sheet, /Hộ nghèo/);
  assert.match(sheet, /TRƯỞNG THÔN/);
  assert.equal(await page.locator('#pdf').count(), 1);
  await page.screenshot({ path: 'test-results/posting-list.png', fullPage: true }).catch(() => {});
  await context.close();
});
