// The periodic review of autumn 2026 in the browser, on the real clock: between 01/09 and
// 14/12/2026 a commune officer of one of today's communes finds the review form set to
// 2027 under vn-2027, opens it, and the survey form shows vn-2027's indicators (waste
// treatment, no "means of information"), each marked "cần xác nhận".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base, useBrowser, signIn, submit } from '../lib/browser.js';

const browser = useBrowser();

// The defaults come from the calendar and the real clock, so outside the window they
// rightly differ; the test then says it was skipped instead of failing obscurely.
function insideTheAutumn2026Window() {
  const now = new Date();
  return now >= new Date('2026-09-01T00:00:00+07:00') && now < new Date('2026-12-15T00:00:00+07:00');
}

test('the 2026 periodic review opens for 2027 under vn-2027 with its indicators', {
  skip: insideTheAutumn2026Window() ? false : 'only meaningful between 01/09 and 14/12/2026',
}, async () => {
  const page = await browser().newPage();
  await signIn(page, 'canbo.huongkhe');

  // The form to open a periodic review defaults to 2027 under vn-2027, and says why.
  await page.goto(`${base}/reviews`);
  const open = page.locator('form[action="/reviews"]');
  assert.equal(await open.locator('input[name=period]').inputValue(), '2027');
  assert.equal(await open.locator('select[name=standard]').inputValue(), 'vn-2027');
  assert.equal(await open.locator('select[name=standard] option:checked').innerText(), 'vn-2027');
  assert.match(await open.locator('p.help').innerText(),
    /Rà soát định kỳ từ 01\/09\/2026 đến 14\/12\/2026 xác định hộ nghèo, hộ cận nghèo cho năm 2027 theo chuẩn vn-2027/);

  // Opened with the defaults as they stand, the review is for 2027 under vn-2027.
  await submit(page, 'form[action="/reviews"] button[type=submit]');
  assert.match(page.url(), /\/reviews\/\d+/);
  const reviewUrl = page.url().split('?')[0];
  // The fixture has no 2026 classifications, so the review lists no one: Lê Văn Tám's
  // household asks to be surveyed, passes the quick screening, and the survey starts.
  await page.fill('form[action$="/requests"] input[name=household_code]', 'HL-001');
  await page.fill('form[action$="/requests"] input[name=requester]', 'Lê Văn Tám');
  await submit(page, 'form[action$="/requests"] button[type=submit]');
  await submit(page, 'tr.sub form button[type=submit]');
  await submit(page, '#start-survey');
  await page.goto(reviewUrl);
  await Promise.all([page.waitForNavigation(), page.locator('a[href*="/survey?village="]').first().click()]);

  // The survey form: vn-2027's twelve indicators, waste treatment among them and no
  // "means of information" (a vn-2022 indicator), each with its "cần xác nhận" mark.
  assert.match(await page.locator('p.evidence').innerText(), /\(vn-2027\)/);
  const indicators = page.locator('section.standard table.indicators tbody tr');
  assert.equal(await indicators.count(), 12);
  const names = (await indicators.locator('td:nth-child(2)').allInnerTexts()).map((n) => n.toLowerCase());
  assert.ok(names.includes('xử lý rác thải sinh hoạt'), names.join(', '));
  assert.ok(names.includes('sử dụng dịch vụ viễn thông'), names.join(', '));
  assert.ok(!names.some((n) => n.includes('phương tiện tiếp cận thông tin')), names.join(', '));
  assert.equal(await page.locator('tr[data-code=info_means]').count(), 0);
  assert.equal(await page.locator('tr[data-code=waste]').count(), 1);
  for (const source of await indicators.locator('td:nth-child(4)').allInnerTexts()) {
    assert.match(source, /cần xác nhận/);
  }
  // The grid's columns are the same indicators: one tick per indicator and household.
  const grid = page.locator('table.survey-grid thead th.tick');
  assert.equal(await grid.count(), 12);
  assert.match((await grid.allInnerTexts()).join(' | ').toLowerCase(), /xử lý rác thải sinh hoạt/);
  await page.screenshot({ path: 'test-results/review-2027.png', fullPage: true }).catch(() => {});
  await page.close();
});
