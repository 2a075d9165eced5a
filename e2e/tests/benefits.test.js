// An agency's card list in the browser: a commune officer imports the social insurance
// agency's list, sees the summary, finds the unmatched row in the match queue and matches
// it to the right member by a name typed without diacritics; the BHYT target of the
// commune, set by the province's office, then moves from "no card recorded" to met.
//
// This file runs after review.test.js (see e2e/run): the regular review there makes
// DM-002 (Hồ Thị An) a poor household of this year, whose card is the queued row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base, useBrowser, signIn, submit } from '../lib/browser.js';

const browser = useBrowser();

const CARDS = [
  'Mã thẻ,Số CCCD,Họ và tên,Năm sinh,Thôn,Từ ngày,Đến ngày',
  // Matched by citizen ID.
  'HN4424270000001,042070000001,Nguyễn Văn Bình,1970,,01/01/2026,31/12/2026',
  // Matched by name, birth year and village, written without diacritics.
  'HN4424272000002,,Tran Thi Lan,1972,Trung Hoa,01/01/2026,31/12/2026',
  // The agency wrote the wrong birth year: nobody matches, so the row waits.
  'HN4424281000003,,Hồ Thị An,1981,Thôn Trung Hòa,01/01/2026,31/12/2026',
].join('\n') + '\n';

// The BHYT target's row of the commune's targets page: [measured, status, note].
async function bhytTarget(page, year) {
  await page.goto(`${base}/targets?unit=18502&year=${year}`);
  const row = page.locator('table.targets tbody tr', { hasText: 'Người nghèo có thẻ BHYT' });
  assert.equal(await row.count(), 1, await page.content());
  const cells = row.locator('td');
  return [await cells.nth(2).innerText(), await cells.nth(3).innerText(), await cells.nth(4).innerText()];
}

test('a commune officer imports a card list and resolves the queued row', async () => {
  const year = new Date().getFullYear();
  // The province's office sets the commune's target: every poor person holds a card.
  const office = await browser().newPage();
  await signIn(office, 'canbo.tinh');
  await office.goto(`${base}/targets?unit=18502&year=${year}`);
  const add = office.locator('form.target-edit', { has: office.locator('select[name=indicator]') });
  await add.locator('select[name=indicator]').selectOption('health_insurance_poor');
  await add.locator('input[name=target_value]').fill('100');
  await add.locator('input[name=source_note]').fill('Kế hoạch giảm nghèo năm của xã');
  await submit(office, 'form.target-edit:has(select[name=indicator]) button[type=submit]');
  const [measured, , note] = await bhytTarget(office, year);
  assert.equal(measured, '—');
  assert.match(note, /chưa ghi thẻ BHYT nào cho 1 thành viên hộ nghèo/);

  const page = await browser().newPage();
  await signIn(page, 'canbo.dienmy');
  // The pages are in the officer's menu.
  await page.goto(`${base}/`);
  assert.ok(await page.locator('nav.main a[href="/benefits/import"]').count());
  assert.ok(await page.locator('nav.main a[href="/benefits/queue"]').count());
  assert.ok(await page.locator('nav.main a[href="/findings"]').count());

  await page.goto(`${base}/benefits/import`);
  await page.selectOption('select[name=policy]', 'bhyt');
  await page.selectOption('select[name=agency]', '42-bhxh');
  await page.setInputFiles('input[name=file]', {
    name: 'the-bhyt.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(CARDS, 'utf-8'),
  });
  await Promise.all([page.waitForNavigation(), page.click('form.card button[type=submit]')]);
  assert.match(await page.locator('.notice').innerText(), /Đã nhập 2 dòng; 1 dòng chờ đối chiếu/);

  // The same file again writes nothing.
  await page.setInputFiles('input[name=file]', {
    name: 'the-bhyt.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(CARDS, 'utf-8'),
  });
  await Promise.all([page.waitForNavigation(), page.click('form.card button[type=submit]')]);
  assert.match(await page.locator('.notice').innerText(), /Đã nhập 0 dòng; 0 dòng chờ đối chiếu; 3 dòng đã có/);

  await page.goto(`${base}/benefits/queue?q=ho thi an`);
  const rows = page.locator('table tbody tr');
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().innerText(), /HN4424281000003/);
  const choose = rows.first().locator('button', { hasText: 'DM-002' });
  assert.equal(await choose.count(), 1);
  await Promise.all([page.waitForNavigation(), choose.click()]);
  assert.match(await page.locator('.notice').innerText(), /Đã ghi nhận dòng/);
  assert.match(await page.locator('table tbody').innerText(), /Không có dòng nào chờ đối chiếu/);

  // The poor member's card was the queued row: matched, the target is met.
  const [after, status, how] = await bhytTarget(page, year);
  assert.equal(after, '100,00 %');
  assert.match(status, /Đạt/);
  assert.match(how, /1 \/ 1 người có thẻ còn hạn/);
  await page.close();
  await office.close();
});
