import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completeYear, findDateText, findYearlessDate, parseDate } from '../../src/ingest/dates.js';

const SHANGHAI = 'Asia/Shanghai';

describe('parseDate', () => {
  const table: [raw: string, zone: string, expected: string | undefined][] = [
    // RFC 822
    ['Wed, 26 Jun 2019 08:05:00 GMT', SHANGHAI, '2019-06-26T08:05:00.000Z'],
    ['Thu, 27 Jun 2019 15:30:00 +0800', SHANGHAI, '2019-06-27T07:30:00.000Z'],
    ['27 Jun 2019 15:30 +0800', SHANGHAI, '2019-06-27T07:30:00.000Z'],
    ['Thu, 27 Jun 19 15:30:00 EST', SHANGHAI, '2019-06-27T20:30:00.000Z'],
    ['Thu, 27 Jun 2019 15:30:00 +0800 (CST)', SHANGHAI, '2019-06-27T07:30:00.000Z'],
    ['Thu, 27 Jun 2019 15:30:00', SHANGHAI, '2019-06-27T07:30:00.000Z'],
    // ISO 8601 with a zone
    ['2019-06-28T08:30:00+08:00', SHANGHAI, '2019-06-28T00:30:00.000Z'],
    ['2019-06-27T12:00:00Z', SHANGHAI, '2019-06-27T12:00:00.000Z'],
    ['2019-06-27T12:00:00.5-0230', SHANGHAI, '2019-06-27T14:30:00.500Z'],
    // naive forms, read in the zone given
    ['2019-06-25 17:20:00', SHANGHAI, '2019-06-25T09:20:00.000Z'],
    ['2019-06-28 16:42', SHANGHAI, '2019-06-28T08:42:00.000Z'],
    ['2019年06月28日 16:42', SHANGHAI, '2019-06-28T08:42:00.000Z'],
    ['2019年6月28日', SHANGHAI, '2019-06-27T16:00:00.000Z'],
    ['2019年6月28日16时42分', SHANGHAI, '2019-06-28T08:42:00.000Z'],
    ['2021-3-5 8:05', SHANGHAI, '2021-03-05T00:05:00.000Z'],
    ['2019/06/28', SHANGHAI, '2019-06-27T16:00:00.000Z'],
    ['2019/06/28 16:42:00', SHANGHAI, '2019-06-28T08:42:00.000Z'],
    ['2019.06.28', SHANGHAI, '2019-06-27T16:00:00.000Z'],
    ['2019-06-28T16:42:00', SHANGHAI, '2019-06-28T08:42:00.000Z'],
    ['  2019-06-28 16:42  ', SHANGHAI, '2019-06-28T08:42:00.000Z'],
    ['2019-06-25 17:20:00', 'UTC', '2019-06-25T17:20:00.000Z'],
    ['2019-06-25 17:20:00', 'America/New_York', '2019-06-25T21:20:00.000Z'],
    // Europe/Berlin: winter (+01:00), summer (+02:00), the skipped hour, the repeated hour
    ['2021-01-15 12:00', 'Europe/Berlin', '2021-01-15T11:00:00.000Z'],
    ['2021-07-01 12:00', 'Europe/Berlin', '2021-07-01T10:00:00.000Z'],
    ['2021-03-28 02:30', 'Europe/Berlin', '2021-03-28T01:30:00.000Z'],
    ['2021-03-28 03:30', 'Europe/Berlin', '2021-03-28T01:30:00.000Z'],
    ['2021-10-31 02:30', 'Europe/Berlin', '2021-10-31T00:30:00.000Z'],
    ['2021-10-31 03:30', 'Europe/Berlin', '2021-10-31T02:30:00.000Z'],
    // invalid
    ['2019-02-30 10:00', SHANGHAI, undefined],
    ['2019-13-01', SHANGHAI, undefined],
    ['2019-06-28 25:00', SHANGHAI, undefined],
    ['Wed, 26 Foo 2019 08:05:00 GMT', SHANGHAI, undefined],
    ['Wed, 26 Jun 2019 08:05:00 XYZ', SHANGHAI, undefined],
    ['yesterday', SHANGHAI, undefined],
    // found by the fuzz suite: years below 100 were moved into the 1900s (Date.UTC), offsets of +2400 or
    // +9959 moved the date by days, and an offset past the end of year 9999 gave a six-digit year
    ['0050-01-01', SHANGHAI, undefined],
    ['0000-01-01T10:00:00Z', SHANGHAI, undefined],
    ['01 Jan 0050 10:00 GMT', SHANGHAI, undefined],
    ['1899-12-31', 'UTC', undefined],
    ['1900-01-01T00:00:00Z', SHANGHAI, '1900-01-01T00:00:00.000Z'],
    ['Tue, 05 Mar 2024 10:20:00 +2400', SHANGHAI, undefined],
    ['2024-03-05T10:20:00+99:59', SHANGHAI, undefined],
    ['2024-03-05T10:20:00+14:00', SHANGHAI, '2024-03-04T20:20:00.000Z'],
    ['9999-12-31T23:59:59-14:00', SHANGHAI, undefined],
    ['', SHANGHAI, undefined],
  ];
  for (const [raw, zone, expected] of table) {
    it(`${JSON.stringify(raw)} in ${zone} → ${expected ?? 'undefined'}`, () => {
      assert.equal(parseDate(raw, zone), expected);
    });
  }

  it('returns undefined for a missing date, never "now"', () => {
    assert.equal(parseDate(undefined, SHANGHAI), undefined);
  });

  it('refuses an unknown time zone', () => {
    assert.throws(() => parseDate('2019-06-28 16:42', 'Mars/Olympus'), RangeError);
  });
});

describe('findDateText', () => {
  const table: [text: string, expected: string | undefined, utc: string | undefined][] = [
    ['2019-06-28 16:42:00\u00a0\u00a0\u00a0\u00a0\u00a0作者:', '2019-06-28 16:42:00', '2019-06-28T08:42:00.000Z'],
    ['发布时间：2019年06月28日 16:42 来源：本网', '2019年06月28日 16:42', '2019-06-28T08:42:00.000Z'],
    ['时间: 2021-3-5 8:05 | 点击: 12', '2021-3-5 8:05', '2021-03-05T00:05:00.000Z'],
    ['日期 2019/06/28', '2019/06/28', '2019-06-27T16:00:00.000Z'],
    ['更新于 2019-06-28T16:42:00+08:00。', '2019-06-28T16:42:00+08:00', '2019-06-28T08:42:00.000Z'],
    ['2019-06-28 16:42 Zhang', '2019-06-28 16:42', '2019-06-28T08:42:00.000Z'],
    ['编号 120190628 无日期', undefined, undefined],
    ['6月28日下午', undefined, undefined],
  ];
  for (const [text, expected, utc] of table) {
    it(`${JSON.stringify(text)} → ${expected ?? 'nothing'}`, () => {
      const found = findDateText(text);
      assert.equal(found, expected);
      assert.equal(parseDate(found, SHANGHAI), utc, 'what it finds, parseDate reads');
    });
  }
});

describe('year-less dates (时间：03-05 08:05)', () => {
  it('are found only as month-day forms, with their time', () => {
    assert.equal(findYearlessDate('03-05 08:05　　撰稿：安全环保部'), '03-05 08:05');
    assert.equal(findYearlessDate('3月5日 8:05'), '3月5日 8:05');
    assert.equal(findYearlessDate('没有日期'), undefined);
  });
  it('take the year from the page address when it has one', () => {
    assert.equal(completeYear('03-05 08:05', 'http://www.hbtg.example/gsdt/20210305/4410.html', new Date('2024-01-01T00:00:00Z')), '2021-03-05 08:05');
    assert.equal(completeYear('3月5日 8:05', 'http://x.example/qydt/202103/t20210305_5521.html', undefined), '2021-03-05 08:05');
    assert.equal(completeYear('12-30', 'http://x.example/news/2019-12-30/7.html', undefined), '2019-12-30');
  });
  it('else the latest year in which the date is not after now, in Beijing time', () => {
    const now = new Date('2021-03-04T17:00:00Z'); // 2021-03-05 01:00 in Beijing
    assert.equal(completeYear('03-05 08:05', 'http://x.example/a/1.html', now), '2021-03-05 08:05');
    assert.equal(completeYear('03-06 08:05', 'http://x.example/a/1.html', now), '2020-03-06 08:05');
    assert.equal(parseDate(completeYear('03-05 08:05', 'http://x.example/a/1.html', now), 'Asia/Shanghai'), '2021-03-05T00:05:00.000Z');
  });
  it('29 February goes to the latest leap year not after now (found by the fuzz suite: it went to a common year and was lost)', () => {
    assert.equal(completeYear('02-29 10:00', 'http://x.example/a/1.html', new Date('2025-03-01T00:00:00Z')), '2024-02-29 10:00');
    assert.equal(completeYear('02-29', 'http://x.example/a/1.html', new Date('2000-01-01T00:00:00Z')), '1996-02-29');
    assert.equal(completeYear('02-29', 'http://x.example/a/1.html', new Date('2024-03-01T00:00:00Z')), '2024-02-29');
  });
  it('leave dates with a year, and text without a date, alone; never invent a year without a clue', () => {
    assert.equal(completeYear('2021-3-5 8:05', 'http://x.example/a/1.html', new Date()), '2021-3-5 8:05');
    assert.equal(completeYear('昨天', 'http://x.example/a/1.html', new Date()), '昨天');
    assert.equal(completeYear('03-05 08:05', 'http://x.example/a/1.html', undefined), '03-05 08:05');
  });
  it('the issue forms read as Beijing time', () => {
    for (const raw of ['2021-3-5 8:05', '2021年3月5日 08:05', '2021/03/05 08:05']) assert.equal(parseDate(raw, 'Asia/Shanghai'), '2021-03-05T00:05:00.000Z', raw);
    assert.equal(parseDate('2021/03/05', 'Asia/Shanghai'), '2021-03-04T16:00:00.000Z');
  });
});
