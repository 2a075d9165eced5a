// A filtered household list exported in the browser (issue 15): the filters of the
// households page carry over to the .xlsx its export button downloads, read back with
// openpyxl. The file holds exactly the households on screen, one line per member, and
// the citizen IDs are masked for the Fatherland Front's oversight, which may read the
// list but not the numbers, and shown whole to the commune's officer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base, useBrowser, signIn } from '../lib/browser.js';

const browser = useBrowser();

// The rows of the workbook's first sheet as text, headings first.
function readXlsx(path) {
  const script = [
    'import json, sys, openpyxl',
    'ws = openpyxl.load_workbook(sys.argv[1], read_only=True).worksheets[0]',
    'print(json.dumps([["" if c is None else str(c) for c in row] for row in ws.iter_rows(values_only=True)]))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' }));
}

// Filters the households of Hà Linh (18502) on the page to Thôn Trung Hòa's households
// with a male head, downloads the export and returns the codes on screen and the rows.
async function exportFiltered(username) {
  const context = await browser().newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, username);
  await page.goto(`${base}/households?unit=18502`);
  const filters = page.locator('form.filters');
  await filters.locator('select[name=village]').selectOption('18502001');
  await filters.locator('select[name=female_head]').selectOption('0');
  await Promise.all([page.waitForNavigation(), filters.locator('button[type=submit]').click()]);
  const onScreen = await page.locator('table.households tbody td.code').allInnerTexts();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('a.button[href*="format=xlsx"]').click(),
  ]);
  assert.match(download.suggestedFilename(), /\.xlsx$/);
  const dir = mkdtempSync(join(tmpdir(), 'gn-export-'));
  try {
    const path = join(dir, download.suggestedFilename());
    await download.saveAs(path);
    const rows = readXlsx(path);
    return { onScreen, headings: rows[0], lines: rows.slice(1) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await context.close();
  }
}

test('the filtered list downloads as .xlsx with exactly its households, IDs masked for oversight', async () => {
  const { onScreen, headings, lines } = await exportFiltered('mttq.hatinh');
  assert.deepEqual(onScreen, ['DM-001']);
  const code = headings.indexOf('Mã hộ');
  const name = headings.indexOf('Họ và tên');
  const id = headings.indexOf('Số CCCD');
  assert.ok(code >= 0 && name >= 0 && id >= 0, String(headings));
  // Exactly the households on screen: DM-002 (a woman heads it) and Hương Khê's HL-001
  // are left out; DM-001's two members are its lines.
  assert.deepEqual([...new Set(lines.map((l) => l[code]))], onScreen);
  assert.deepEqual(lines.map((l) => l[name]).sort(), ['Nguyễn Văn Bình', 'Trần Thị Lan']);
  const head = lines.find((l) => l[name] === 'Nguyễn Văn Bình');
  assert.equal(head[id], '*********001');
  assert.ok(!JSON.stringify(lines).includes('042070000001'));
});

test("the commune's officer exports the same filter with the IDs whole", async () => {
  const { onScreen, headings, lines } = await exportFiltered('canbo.dienmy');
  assert.deepEqual(onScreen, ['DM-001']);
  const name = headings.indexOf('Họ và tên');
  const id = headings.indexOf('Số CCCD');
  assert.equal(lines.find((l) => l[name] === 'Nguyễn Văn Bình')[id], '042070000001');
});
