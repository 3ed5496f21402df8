// Fuzzing the date parser (src/ingest/dates.ts). Dates are generated as fields and written in every
// form upstreams use — ISO 8601, RFC 822, 2024-3-5 10:20, 2024/03/05, 2024.03.05, 2024年3月5日 10:20,
// 10时20分, full-width colons, inside 发布时间：… lines — and the instant each must give is computed here,
// independently: a date is read exactly, or not at all, never invented. Seeded: FUZZ_SEED, FUZZ_RUNS.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { completeYear, findDateText, findYearlessDate, parseDate } from '../../src/ingest/dates.js';
import { check, longRun } from '../helpers/fuzz.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The UTC instant of wall-clock `f`, `offset` minutes east of UTC; undefined when `f` is no real date and time. */
function instant(f: Fields, offset: number): number | undefined {
  if (f.month < 1 || f.month > 12 || f.hour > 23 || f.minute > 59 || f.second > 59 || f.day < 1) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(f.year, f.month - 1, f.day);
  if (d.getUTCDate() !== f.day) return undefined;
  d.setUTCHours(f.hour, f.minute, f.second, 0);
  return d.getTime() - offset * 60_000;
}

// Mostly real dates of this century; some not real (31 April, 29 February of common years, hour 24).
const fields: fc.Arbitrary<Fields> = fc.record({
  year: fc.oneof({ arbitrary: fc.integer({ min: 1992, max: 2099 }), weight: 9 }, { arbitrary: fc.integer({ min: 1900, max: 9999 }), weight: 1 }),
  month: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 12 }), weight: 9 }, { arbitrary: fc.integer({ min: 0, max: 99 }), weight: 1 }),
  day: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 31 }), weight: 9 }, { arbitrary: fc.integer({ min: 0, max: 99 }), weight: 1 }),
  hour: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 23 }), weight: 9 }, { arbitrary: fc.integer({ min: 24, max: 99 }), weight: 1 }),
  minute: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 59 }), weight: 9 }, { arbitrary: fc.integer({ min: 60, max: 99 }), weight: 1 }),
  second: fc.integer({ min: 0, max: 59 }),
});

/** A zone suffix and its offset in minutes (undefined offset: a naive time, read in the source's zone). */
const zone = fc.oneof(
  fc.constant({ text: '', offset: undefined as number | undefined }),
  fc.constantFrom({ text: 'Z', offset: 0 }, { text: ' GMT', offset: 0 }, { text: ' UTC', offset: 0 }),
  fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 15, 30, 45), fc.boolean()).map(([sign, h, m, colon]) => ({
    text: `${sign}${pad(h)}${colon ? ':' : ''}${pad(m)}`,
    offset: (sign === '-' ? -1 : 1) * (h * 60 + m),
  })),
);

/** How a numeric date is written: the form, whether month, day and hour are zero-padded, seconds or not. */
interface NumericForm {
  form: 'iso' | 'space' | 'slash' | 'dot' | 'cn' | 'cn-hm' | 'cn-fullwidth' | 'date-only' | 'cn-date-only';
  padded: boolean;
  seconds: boolean;
}
const numericForm: fc.Arbitrary<NumericForm> = fc.record({
  form: fc.constantFrom('iso', 'space', 'slash', 'dot', 'cn', 'cn-hm', 'cn-fullwidth', 'date-only', 'cn-date-only'),
  padded: fc.boolean(),
  seconds: fc.boolean(),
});

/** `f` written in `how`, with zone suffix `z` (none on the date-only forms). */
function writeNumeric({ form, padded, seconds }: NumericForm, f: Fields, z: string): string {
  const M = padded ? pad(f.month) : String(f.month);
  const D = padded ? pad(f.day) : String(f.day);
  const h = padded ? pad(f.hour) : String(f.hour);
  const time = `${h}:${pad(f.minute)}${seconds ? `:${pad(f.second)}` : ''}`;
  const y = pad(f.year, 4);
  switch (form) {
    case 'iso': return `${y}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}${z.trim()}`;
    case 'space': return `${y}-${M}-${D} ${time}${z}`;
    case 'slash': return `${y}/${M}/${D} ${time}${z}`;
    case 'dot': return `${y}.${M}.${D} ${time}${z}`;
    case 'cn': return `${y}年${M}月${D}日 ${time}${z}`;
    case 'cn-hm': return `${y}年${M}月${D}日${h}时${pad(f.minute)}分${seconds ? `${pad(f.second)}秒` : ''}${z}`;
    case 'cn-fullwidth': return `${y}年${M}月${D}日 ${h}：${pad(f.minute)}${seconds ? `：${pad(f.second)}` : ''}${z}`;
    case 'date-only': return `${y}-${M}-${D}`;
    case 'cn-date-only': return `${y}年${M}月${D}日`;
  }
}
const dateOnly = (f: Fields): Fields => ({ ...f, hour: 0, minute: 0, second: 0 });
const isDateOnly = (text: string) => !/[:：时T]/.test(text);

const rfc822 = fc.tuple(fields, zone, fc.boolean(), fc.boolean(), fc.constantFrom('', ' (CST)')).map(([f, z, weekday, twoDigitYear, comment]) => {
  const year = twoDigitYear ? pad(f.year % 100) : pad(f.year, 4);
  const readYear = twoDigitYear ? (f.year % 100 < 50 ? 2000 : 1900) + (f.year % 100) : f.year;
  const monthIndex = (((f.month - 1) % 12) + 12) % 12;
  const month = MONTHS[monthIndex]!;
  const wd = DAYS[new Date(Date.UTC(2000, 0, 1 + f.day)).getUTCDay()]!;
  const zoneText = z.text === 'Z' ? ' GMT' : z.text === '' ? '' : ` ${z.text.trim()}`;
  return {
    text: `${weekday ? `${wd}, ` : ''}${f.day} ${month} ${year} ${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}${zoneText}${comment}`,
    fields: { ...f, year: readYear, month: monthIndex + 1 },
    offset: z.offset,
  };
});

/** The ISO string parseDate must give for `ms`: none beyond year 9999 (ISO 8601's four-digit years). */
const expectedIso = (ms: number | undefined) => (ms === undefined || ms >= Date.UTC(10_000, 0, 1) ? undefined : new Date(ms).toISOString());

const ZONES = ['UTC', 'Asia/Shanghai'];
/** Naive times in Asia/Shanghai: UTC+8 (no daylight saving since 1992). */
const zoneOffset = (tz: string) => (tz === 'UTC' ? 0 : 480);

/** What parseDate may return at all: undefined, or ISO 8601 UTC of a 4-digit year from 1900. */
function assertSane(iso: string | undefined, raw: string): void {
  if (iso === undefined) return;
  assert.match(iso, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, `parseDate(${JSON.stringify(raw)}) = ${iso} is not ISO 8601 UTC`);
  assert.equal(new Date(iso).toISOString(), iso);
  const year = Number(iso.slice(0, 4));
  assert.ok(year >= 1899 && year <= 9999, `parseDate(${JSON.stringify(raw)}) = ${iso}: year out of range`);
}

describe('fuzz: parseDate', () => {
  test('numeric forms (ISO, 2024-3-5 10:20, 2024/03/05, 2024.03.05, 2024年3月5日 10:20, 10时20分, full-width colons) read exactly or not at all', async () => {
    await check(
      fc.property(fields, zone, numericForm, fc.constantFrom(...ZONES), (f, z, how, tz) => {
        let text = writeNumeric(how, f, z.text);
        const shown = isDateOnly(text) ? dateOnly(f) : how.seconds || how.form === 'iso' ? f : { ...f, second: 0 };
        if (isDateOnly(text)) text = text.trim();
        const naive = isDateOnly(text) || z.offset === undefined;
        // Beijing time is UTC+8 throughout from 1992 (it kept daylight saving time until 1991).
        fc.pre(!naive || tz === 'UTC' || shown.year >= 1992);
        const got = parseDate(text, tz);
        assertSane(got, text);
        assert.equal(got, expectedIso(instant(shown, naive ? zoneOffset(tz) : z.offset!)), `parseDate(${JSON.stringify(text)}, ${tz})`);
      }),
      400,
    );
  });

  test('RFC 822 (weekday, two-digit year, numeric and named zones, a comment) reads exactly or not at all', async () => {
    await check(
      fc.property(rfc822, fc.constantFrom(...ZONES), ({ text, fields: f, offset }, tz) => {
        fc.pre(offset !== undefined || tz === 'UTC' || f.year >= 1992);
        const got = parseDate(text, tz);
        assertSane(got, text);
        assert.equal(got, expectedIso(instant(f, offset ?? zoneOffset(tz))), `parseDate(${JSON.stringify(text)}, ${tz})`);
      }),
      300,
    );
  });

  test('years before 1900 or of fewer than four digits, and zones beyond ±23:59, are no date (never moved to another century)', async () => {
    const oldYear = fc.tuple(fc.integer({ min: 0, max: 1899 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.constantFrom('iso', 'cn', 'rfc'));
    await check(
      fc.property(oldYear, ([y, m, d, form]) => {
        const text = form === 'iso' ? `${pad(y, 4)}-${pad(m)}-${pad(d)}T10:00:00Z` : form === 'cn' ? `${pad(y, 4)}年${m}月${d}日 10:00` : `${d} ${MONTHS[m - 1]} ${pad(y, 4)} 10:00:00 GMT`;
        assert.equal(parseDate(text, 'Asia/Shanghai'), undefined, text);
      }),
      200,
    );
    await check(
      fc.property(fc.integer({ min: 24, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.constantFrom('+', '-'), (h, m, sign) => {
        for (const text of [`2024-03-05T10:20:00${sign}${pad(h)}:${pad(m)}`, `Tue, 05 Mar 2024 10:20:00 ${sign}${pad(h)}${pad(m)}`]) {
          assert.equal(parseDate(text, 'UTC'), undefined, text);
        }
      }),
      100,
    );
  });

  test('any hostile text gives undefined or a sane date, never a throw', async () => {
    const hostile = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: fc.constantFrom(...'0123456789-/.:年月日时分秒 T+Z：GMTUTCMonJan,()'), maxLength: 60 }),
      longRun(20_000),
      fc.tuple(fields, zone, numericForm).map(([f, z, how]) => `${writeNumeric(how, f, z.text)}${'0'.repeat(3)}`),
    );
    await check(
      fc.property(hostile, fc.constantFrom(...ZONES, 'America/New_York', 'Pacific/Kiritimati'), (text, tz) => {
        assertSane(parseDate(text, tz), text);
      }),
      400,
    );
  });
});

describe('fuzz: dates inside running text', () => {
  const label = fc.constantFrom('发布时间：', '发布时间:', '时间：', '日期 ', '更新于 ', '', '【', '来源：本网 发布日期：');
  const tail = fc.constantFrom('', ' 来源：本网', '\u00a0\u00a0作者：孙丽', ' | 点击: 12', '。', '】');

  test('findDateText finds the date of a 发布时间：… line, and parseDate reads what it finds as the same instant', async () => {
    await check(
      fc.property(fields, numericForm, label, tail, (f, how, lead, rest) => {
        const written = writeNumeric(how, f, '');
        const found = findDateText(`${lead}${written}${rest}`);
        assert.ok(found !== undefined, `no date found in ${JSON.stringify(`${lead}${written}${rest}`)}`);
        assert.equal(parseDate(found, 'Asia/Shanghai'), parseDate(written, 'Asia/Shanghai'), `${JSON.stringify(found)} read from ${JSON.stringify(lead + written + rest)}`);
      }),
      300,
    );
  });

  test('findDateText and findYearlessDate on hostile text: a substring of it or nothing', async () => {
    const hostile = fc.oneof(fc.string({ maxLength: 200 }), longRun(16_000), fc.string({ unit: fc.constantFrom(...'0123456789-/.年月日 :：'), maxLength: 300 }));
    await check(
      fc.property(hostile, (text) => {
        for (const found of [findDateText(text), findYearlessDate(text)]) {
          assert.ok(found === undefined || text.includes(found), `${JSON.stringify(found)} is not in the text`);
        }
      }),
      300,
    );
  });

  test('completeYear: a year-less date seen at `now` is placed no later than a day after now, in a year it exists', async () => {
    const now = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true });
    const yearless = fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), fc.option(fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })))).map(
      ([m, d, t]) => `${pad(m)}-${pad(d)}${t ? ` ${pad(t[0])}:${pad(t[1])}` : ''}`,
    );
    await check(
      fc.property(yearless, now, (raw, at) => {
        const completed = completeYear(raw, 'http://x.example/a/1.html', at);
        assert.match(completed, /^\d{4}-\d{2}-\d{2}/);
        const iso = parseDate(completed, 'Asia/Shanghai');
        const [m, d] = raw.split(/[- ]/).map(Number) as [number, number];
        // 31 April never exists; 29 February exists in leap years, and is placed in one.
        const exists = instant({ year: 2000, month: m, day: d, hour: 0, minute: 0, second: 0 }, 0) !== undefined;
        assert.equal(iso !== undefined, exists, `${raw} at ${at.toISOString()} → ${completed}`);
        assert.ok(iso === undefined || Date.parse(iso) <= at.getTime() + 86_400_000, `${raw} at ${at.toISOString()} → ${iso}, after now`);
      }),
      300,
    );
  });
});
