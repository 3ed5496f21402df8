// An instant as people in a time zone read it, for the browser view of a feed (assets/feed.xsl can
// only slice strings in XSLT 1.0, so the local form is computed here, once per item).

export interface LocalTime {
  /** RFC 3339 with the zone's offset at that instant, e.g. 2019-06-28T16:42:00+08:00. */
  text: string;
  /** The IANA zone name, e.g. Asia/Shanghai. */
  timeZone: string;
}

// Building an Intl.DateTimeFormat costs far more than using one; keep one per time zone.
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    formats.set(timeZone, format);
  }
  return format;
}

// What format() writes for the options above in en-US: MM/DD/YYYY, HH:MM:SS GMT±hh:mm (or bare GMT);
// the last group is whatever follows "GMT", as the parts' zone name gives it. Anchored, no nested
// quantifier, so matching is linear in the (short) formatted string.
const FORMATTED = /^(\d{2})\/(\d{2})\/(\d+), (\d{2}):(\d{2}):(\d{2}) GMT([+\-\d:]*)$/;

/** `date` in `timeZone` (a zone Intl knows; prepare() checks it) as RFC 3339 local time with offset. */
export function localTime(date: Date, timeZone: string): LocalTime {
  const format = formatFor(timeZone);
  // format() is formatToParts() joined, at a third of the cost; a string of any other shape (e.g. a
  // year with an era) is read from the parts instead.
  const m = FORMATTED.exec(format.format(date));
  if (m !== null) {
    const [, month, day, year, hour, minute, second, offset] = m;
    return { text: rfc3339(year!, month!, day!, hour!, minute!, second!, offset), timeZone };
  }
  const parts = format.formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  // longOffset reads "GMT+08:00", or "GMT" for a zero offset.
  const offset = part('timeZoneName').replace(/^GMT/, '');
  return { text: rfc3339(part('year'), part('month'), part('day'), part('hour'), part('minute'), part('second'), offset), timeZone };
}

/** The fields as RFC 3339; `offset` is what follows "GMT" in a longOffset zone name (empty or absent for UTC). */
function rfc3339(year: string, month: string, day: string, hour: string, minute: string, second: string, offset = ''): string {
  const zone = offset === '' || offset === '+00:00' ? 'Z' : offset;
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${zone}`;
}
