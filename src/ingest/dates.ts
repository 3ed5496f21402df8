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

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/**
 * Parses an upstream date. Accepts RFC 822 (with a numeric or named zone), ISO 8601 with Z or an
 * offset, and zone-less forms (ISO without offset, `2019-06-25 17:20:00`, `2019/06/28`, `2019.06.28`,
 * `2019年6月28日 16:42`, …), which are read as wall-clock time in `timeZone`. Returns ISO 8601 UTC, or
 * undefined when `raw` is missing or not a valid date: an unknown date is never replaced by "now".
 * Throws a RangeError when `timeZone` is not an IANA zone (a configuration error, not bad input).
 */
export function parseDate(raw: string | undefined, timeZone: string): string | undefined {
  const zoneFormatter = formatterFor(timeZone);
  const text = raw?.trim();
  if (!text) return undefined;

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

/** Returns the fields when they name a real calendar date and time, else undefined. */
function checked(f: Fields): Fields | undefined {
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.hour > 23 || f.minute > 59 || f.second > 59) return undefined;
  const probe = new Date(Date.UTC(f.year, f.month - 1, f.day));
  return probe.getUTCDate() === f.day ? f : undefined;
}

function resolve(f: Fields, zone: string | undefined, zoneFormatter: Intl.DateTimeFormat): string | undefined {
  const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.millisecond);
  if (zone === undefined) return new Date(wallTimeToInstant(wall, zoneFormatter)).toISOString();
  const offset = offsetMinutes(zone);
  return offset === undefined ? undefined : new Date(wall - offset * 60_000).toISOString();
}

function offsetMinutes(zone: string): number | undefined {
  const numeric = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3]);
    return numeric[1] === '-' ? -minutes : minutes;
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
