// Upstream dates → ISO 8601 UTC. Chinese upstreams mix RFC 822, ISO 8601 and "naive" local forms
// (2019-06-25 17:20:00, 2019年6月28日) that carry no zone at all. Date.parse would read those in the
// process time zone (ECMA-262, Date.parse), so every form is parsed here and naive times are read
// in the source's configured IANA zone.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// RFC 822 / RFC 1123 zone names; "CST" and friends keep their RFC (North American) meaning.
const NAMED_ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
};

// [Day, ] DD Mon YYYY HH:MM[:SS] [zone] [(comment)]
const RFC822 =
  /^(?:[a-z]{3,9},?\s*)?(\d{1,2})\s+([a-z]{3})[a-z]*\.?\s+(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{2}:?\d{2}|[a-z]{1,3})?(?:\s*\([^)]*\))?$/i;

// YYYY-MM-DD, YYYY/M/D, YYYY.MM.DD, YYYY年M月D日, each optionally followed by a time
// (HH:MM[:SS[.fff]], also with full-width colons or 时/分/秒) and optionally by Z or ±HH[:]MM.
const NUMERIC =
  /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:(?:\s*|T)(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:\.(\d{1,9}))?)?\s*[分秒]?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?$/i;

// The same numeric forms as NUMERIC, found inside running text ("2019-06-28 16:42:00 作者:…").
const NUMERIC_IN_TEXT =
  /(?<!\d)\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?!\d)\s*日?(?:(?:[ \t\u00a0\u3000]*|T)\d{1,2}\s*[:：时]\s*\d{1,2}(?:\s*[:：分]\s*\d{1,2}(?:\.\d{1,9})?)?(?:\s*[分秒])?)?(?:[ \t]*(?:Z|UTC|GMT)(?![A-Za-z])|[ \t]*[+-]\d{2}:?\d{2}(?!\d))?/i;

/**
 * The first date written in one of parseDate's numeric forms inside `text` (e.g. the
 * `2019年06月28日 16:42` of `发布时间：2019年06月28日 16:42 来源：本网`), as written; undefined when there is none.
 */
export function findDateText(text: string): string | undefined {
  return NUMERIC_IN_TEXT.exec(text)?.[0].trim();
}

// A month, day and time without the year, as list-style info lines write it: `03-05 08:05`,
// `3月5日 08:05`. Only read after a date label (page-labels.ts): alone it could be anything.
const YEARLESS_IN_TEXT = /(?<![\d\-/.年])(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?(?:[ \t\u00a0\u3000]*(\d{1,2})\s*[:：]\s*(\d{2})(?::(\d{2}))?)?/;

/** The first year-less date (`03-05 08:05`, `3月5日`) in `text`, as written; undefined when none. */
export function findYearlessDate(text: string): string | undefined {
  return YEARLESS_IN_TEXT.exec(text)?.[0].trim();
}

/**
 * `raw` with its year supplied when it has none (`03-05 08:05` → `2021-03-05 08:05`): the year of the
 * date in the page's address (`/20210305/`, `t20210305_`, `/2021/0305/`, `/2021-03-05/`) when the address
 * has one, else the latest year in which the date exists and is not after `now` (read in `timeZone`).
 * A date with its year, or text that is no year-less date, is returned as it is.
 */
export function completeYear(raw: string, pageUrl: string | undefined, now: Date | undefined, timeZone = 'Asia/Shanghai'): string {
  const m = /^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ \t\u00a0\u3000]*(\d{1,2})\s*[:：]\s*(\d{2})(?::(\d{2}))?)?$/.exec(raw.trim());
  if (!m) return raw;
  const pad = (n: string | undefined) => (n ?? '0').padStart(2, '0');
  const month = Number(m[1]);
  const day = Number(m[2]);
  const time = m[3] !== undefined ? ` ${pad(m[3])}:${pad(m[4])}${m[5] !== undefined ? `:${pad(m[5])}` : ''}` : '';
  const fromUrl = urlYear(pageUrl);
  let year = fromUrl;
  if (year === undefined && now !== undefined) {
    const today = formatterFor(timeZone).formatToParts(now);
    const part = (type: string) => Number(today.find((p) => p.type === type)?.value);
    year = part('year');
    if (month > part('month') || (month === part('month') && day > part('day'))) year -= 1;
    // 29 February is placed in the latest leap year not after now.
    if (month === 2 && day === 29) while (!isLeapYear(year)) year -= 1;
  }
  return year === undefined ? raw : `${year}-${pad(String(month))}-${pad(String(day))}${time}`;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The year of a date written in a URL's path (20210305, 2021/0305, 2021-03-05, 202103), if any. */
function urlYear(url: string | undefined): number | undefined {
  if (!url) return undefined;
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const m = /(?<!\d)((?:19|20)\d{2})[-/_]?(0[1-9]|1[0-2])(?:[-/_]?(0[1-9]|[12]\d|3[01]))?(?!\d)/.exec(path);
  return m ? Number(m[1]) : undefined;
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** The longest raw date string read (RFC 822 with a zone comment is about 40 characters). */
const MAX_DATE_LENGTH = 200;

/**
 * Parses an upstream date. Accepts RFC 822 (with a numeric or named zone), ISO 8601 with Z or an
 * offset, and zone-less forms (ISO without offset, `2019-06-25 17:20:00`, `2019/06/28`, `2019.06.28`,
 * `2019年6月28日 16:42`, …), which are read as wall-clock time in `timeZone`. Returns ISO 8601 UTC, or
 * undefined when `raw` is missing or not a valid date (no such day or time, a year before 1900, an
 * offset beyond ±23:59, an instant after year 9999): an unknown date is never replaced by "now" nor
 * moved to another day. Throws a RangeError when `timeZone` is not an IANA zone (a configuration
 * error, not bad input).
 */

export function parseDate(raw: string | undefined, timeZone: string): string | undefined {
  const zoneFormatter = formatterFor(timeZone);
  const text = raw?.trim();
  if (!text) return undefined;
  // No date is written in more than a few dozen characters: a longer value is not a date, and the
  // patterns below never see more than MAX_DATE_LENGTH characters of upstream text.
  if (text.length > MAX_DATE_LENGTH) return undefined;

  const rfc = RFC822.exec(text);
  if (rfc) {
    const month = MONTHS.indexOf(rfc[2]!.toLowerCase());
    if (month < 0) return undefined;
    const shortYear = Number(rfc[3]);
    const year = rfc[3]!.length === 2 ? shortYear + (shortYear < 50 ? 2000 : 1900) : shortYear;
    const fields = checked({ year, month: month + 1, day: Number(rfc[1]), hour: Number(rfc[4]), minute: Number(rfc[5]), second: Number(rfc[6] ?? 0), millisecond: 0 });
    return fields && resolve(fields, rfc[7], zoneFormatter);
  }

  const num = NUMERIC.exec(text);
  if (num) {
    const fields = checked({
      year: Number(num[1]),
      month: Number(num[2]),
      day: Number(num[3]),
      hour: Number(num[4] ?? 0),
      minute: Number(num[5] ?? 0),
      second: Number(num[6] ?? 0),
      millisecond: Number((num[7] ?? '0').padEnd(3, '0').slice(0, 3)),
    });
    return fields && resolve(fields, num[8], zoneFormatter);
  }
  return undefined;
}

/** The earliest year read: no web document was published before it, and a year such as 0050 is a
 *  typo or garbage, not a date (Date.UTC would even move years below 100 into the 1900s). */
const MIN_YEAR = 1900;
/** The end of four-digit years (ISO 8601's basic range): a later instant is no date either. */
const END_OF_YEAR_9999 = Date.UTC(10_000, 0, 1);

/** Returns the fields when they name a real calendar date and time from MIN_YEAR on, else undefined. */
function checked(f: Fields): Fields | undefined {
  if (f.year < MIN_YEAR || f.month < 1 || f.month > 12 || f.day < 1 || f.hour > 23 || f.minute > 59 || f.second > 59) return undefined;
  const probe = new Date(Date.UTC(f.year, f.month - 1, f.day));
  return probe.getUTCDate() === f.day ? f : undefined;
}

function resolve(f: Fields, zone: string | undefined, zoneFormatter: Intl.DateTimeFormat): string | undefined {
  const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.millisecond);
  const offset = zone === undefined ? undefined : offsetMinutes(zone);
  if (zone !== undefined && offset === undefined) return undefined;
  const instant = offset === undefined ? wallTimeToInstant(wall, zoneFormatter) : wall - offset * 60_000;
  return instant < END_OF_YEAR_9999 ? new Date(instant).toISOString() : undefined;
}

/** A zone's offset east of UTC in minutes; undefined for an unknown name or an offset no clock shows
 *  (hours over 23 or minutes over 59: RFC 3339 time-numoffset, RFC 5322 zone). */
function offsetMinutes(zone: string): number | undefined {
  const numeric = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (numeric) {
    const hours = Number(numeric[2]);
    const mins = Number(numeric[3]);
    if (hours > 23 || mins > 59) return undefined;
    return (numeric[1] === '-' ? -1 : 1) * (hours * 60 + mins);
  }
  return NAMED_ZONES[zone.toLowerCase()];
}

/**
 * The instant at which clocks in the formatter's zone show `wall` (wall-clock fields encoded as if
 * UTC). Around DST changes this follows the "compatible" rule: an ambiguous time (clocks set back)
 * is the earlier instant; a skipped time (clocks set forward) is moved forward by the gap.
 */
function wallTimeToInstant(wall: number, zone: Intl.DateTimeFormat): number {
  const day = 86_400_000;
  const before = zoneOffsetMs(wall - day, zone);
  const after = zoneOffsetMs(wall + day, zone);
  const candidates = [wall - before, wall - after].filter((t) => zoneOffsetMs(t, zone) === wall - t);
  return candidates.length > 0 ? Math.min(...candidates) : wall - before;
}

/** The zone's UTC offset at `instant`, in milliseconds (positive east of Greenwich). */
function zoneOffsetMs(instant: number, zone: Intl.DateTimeFormat): number {
  const parts: Record<string, number> = {};
  for (const { type, value } of zone.formatToParts(instant)) parts[type] = Number(value);
  const shown = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return shown - Math.floor(instant / 1000) * 1000;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}
