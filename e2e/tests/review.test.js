// One household's regular review in the browser, from the request to the certificate:
// a commune officer records the request, screens it, enters form B, records the village
// meeting, posts the result, approves it and prints the certificate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base, useBrowser, signIn, submit } from '../lib/browser.js';

const browser = useBrowser();

function ddmmyyyy(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()}`;
}

test('a regular review takes one household from its request to a printed certificate', async () => {
  const page = await browser().newPage();
  await signIn(page, 'canbo.dienmy');

  // The household asks to be recognised as poor.
  await page.goto(`${base}/households?q=ho+thi+an`);
  await Promise.all([page.waitForNavigation(), page.locator('table.households tbody a').first().click()]);
  await page.fill('#regular-review input[name=requester]', 'Hồ Thị An');
  await submit(page, '#regular-review button[type=submit]');
  assert.match(page.url(), /\/reviews\/\d+/);
  const reviewUrl = page.url().split('?')[0];

  // Step 1: quick screening passes; step 2: the survey.
  await submit(page, 'tr.sub form button[type=submit]');
  await submit(page, '#start-survey');
  await Promise.all([page.waitForNavigation(), page.locator('a[href*="/survey?village="]').first().click()]);
  const row = page.locator('table.survey-grid tbody tr', { hasText: 'DM-002' });
  await row.locator('input[name^=a]').fill('120');
  for (const code of ['employment', 'health_insurance', 'water', 'sanitation']) {
    await row.locator(`input[type=checkbox][value=${code}]`).check();
  }
  await submit(page, 'button.primary');
  await page.goto(reviewUrl);
  assert.match(await page.locator('table.review-households').innerText(), /Hộ nghèo/);

  // Step 3: a meeting typed wrong (more agreeing than attending) comes back with what
  // was typed and the problem next to its field; corrected, it passes with 15 of 20.
  await submit(page, '#start-meetings');
  await page.fill('#meeting-form input[name=attendees]', '20');
  await page.fill('#meeting-form input[name=agreeing]', '25');
  await page.fill('#meeting-form input[name=chaired_by]', 'Trần Văn Bình');
  await Promise.all([page.waitForNavigation(), page.click('#meeting-form button[type=submit]')]);
  assert.equal(await page.inputValue('#meeting-form input[name=attendees]'), '20');
  assert.equal(await page.inputValue('#meeting-form input[name=agreeing]'), '25');
  assert.equal(await page.inputValue('#meeting-form input[name=chaired_by]'), 'Trần Văn Bình');
  const problem = page.locator('#meeting-form label:has(input[name=agreeing]) .field-error');
  assert.match(await problem.innerText(), /lớn hơn số người dự họp/);
  await page.fill('#meeting-form input[name=agreeing]', '15');
  await submit(page, '#meeting-form button[type=submit]');
  assert.match(await page.locator('.notice').innerText(), /Thông qua/);

  // Step 4: the result was posted three weeks ago, so the posting is over.
  const posted = new Date(Date.now() - 21 * 24 * 3600 * 1000);
  await page.fill('#posting-form input[name=starts_on]', ddmmyyyy(posted));
  await submit(page, '#posting-form button[type=submit]');

  // Step 5: the decision, then the certificate.
  await page.fill('#approve-form input[name=decision_number]', '15/QĐ-UBND');
  await submit(page, '#approve-form button[type=submit]');
  assert.match(await page.locator('table.review-households').innerText(), /Hộ nghèo/);
  await Promise.all([page.waitForNavigation(), page.click('#certificates')]);
  const certificate = await page.locator('section.certificate').first().innerText();
  assert.match(certificate, /GIẤY CHỨNG NHẬN HỘ NGHÈO/);
  assert.match(certificate, /Hồ Thị An/);
  assert.match(certificate, /001\/GCN-HN\.HCN/);
  assert.match(certificate, /CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM/);
  // The same certificates as a PDF download, from the link next to the print button.
  const pdf = await page.request.get(new URL(await page.locator('#pdf').getAttribute('href'), page.url()).href);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.match(pdf.headers()['content-disposition'], /attachment; filename="giay-chung-nhan-\d+\.pdf"/);
  assert.equal((await pdf.body()).subarray(0, 5).toString('latin1'), '%PDF-');
  await page.screenshot({ path: 'test-results/certificate.png', fullPage: true }).catch(() => {});
  await page.close();
});
