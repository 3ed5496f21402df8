// robots.txt (RFC 9309): which paths of a host a crawler with our product token may fetch.
// Pure: fetching and caching robots.txt is polite.ts's job.

/**
 * The rules of the groups that apply to us, in file order: their patterns (percent-encoding normalized,
 * `*` and a final `$` as written) one per line, and whether each allows. Packed so, a robots.txt of
 * thousands of rules crosses from the fetch thread as one string and one array: as an object per rule
 * it took the serving thread 7–44 ms to receive 15,000 of them.
 */
export interface RobotsRules {
  patterns: string;
  /** Per pattern: 1 allows, 0 disallows. */
  allow: Uint8Array;
}

/**
 * How much of a robots.txt is read: RFC 9309 §2.5 asks crawlers to parse at least 500 KiB; what follows
 * is ignored, so that a huge file costs no more than that.
 */
export const MAX_ROBOTS_CHARS = 500 * 1024;

/** Every path is allowed: what an absent robots.txt (4xx) means (RFC 9309 §2.3.1.3). */
export const ALLOW_ALL: RobotsRules = { patterns: '', allow: new Uint8Array(0) };

/**
 * The rules of `text` that apply to the crawler named `productToken`: the rules of every group whose
 * user-agent line names the token (case-insensitively, version and comment ignored), merged; else
 * the rules of every `*` group; else none. Lines other than user-agent, allow and disallow (sitemap,
 * crawl-delay, junk) are ignored, as are rules before the first user-agent line and empty patterns.
 */
export function parseRobots(text: string, productToken: string): RobotsRules {
  const token = productToken.toLowerCase();
  const groups: { agents: string[]; rules: { allow: boolean; pattern: string }[] }[] = [];
  let current: (typeof groups)[number] | undefined;
  let inRules = false;

  const read = text.length > MAX_ROBOTS_CHARS ? text.slice(0, MAX_ROBOTS_CHARS) : text;
  for (const raw of read.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    const match = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!match) continue;
    const key = match[1]!.toLowerCase();
    const value = match[2]!.trim();
    if (key === 'user-agent') {
      if (!current || inRules) {
        current = { agents: [], rules: [] };
        groups.push(current);
        inRules = false;
      }
      current.agents.push(value === '*' ? '*' : (/^[A-Za-z_-]+/.exec(value)?.[0] ?? '').toLowerCase());
    } else if ((key === 'allow' || key === 'disallow') && current) {
      inRules = true;
      if (value !== '') current.rules.push({ allow: key === 'allow', pattern: value });
    }
  }

  const ours = groups.filter((g) => g.agents.includes(token));
  const applying = ours.length > 0 ? ours : groups.filter((g) => g.agents.includes('*'));
  const rules = applying.flatMap((g) => g.rules);
  return { patterns: rules.map((r) => normalizeEncoding(r.pattern)).join('\n'), allow: Uint8Array.from(rules, (r) => (r.allow ? 1 : 0)) };
}

/**
 * Whether `pathAndQuery` (a URL's path plus its ?query, as sent on the wire) may be fetched: the
 * matching rule with the longest pattern (in octets, RFC 9309 §2.2.2) decides; an allow wins a tie; no matching rule allows.
 * /robots.txt itself is always allowed.
 */
export function isAllowed(robots: RobotsRules, pathAndQuery: string): boolean {
  const target = normalizeEncoding(pathAndQuery || '/');
  if (target === '/robots.txt') return true;
  const { patterns, allow } = robots;
  let bestLength = -1;
  let bestAllows = true;
  let start = 0;
  for (let i = 0; i < allow.length; i += 1) {
    let end = patterns.indexOf('\n', start);
    if (end < 0) end = patterns.length;
    const length = end - start;
    const allows = allow[i] === 1;
    // Only a rule that would win is matched.
    if ((length > bestLength || (length === bestLength && allows && !bestAllows)) && matches(patterns, start, end, target)) {
      bestLength = length;
      bestAllows = allows;
    }
    start = end + 1;
  }
  return bestAllows;
}

const STAR = 0x2a;
const DOLLAR = 0x24;

/**
 * Whether the pattern at patterns[start, end) matches the start of `target` (all of it when it ends in
 * `$`): `*` matches any run of characters. The part before the first `*` is compared in place; the
 * parts after it are found in order, each at its leftmost place after the previous one (which leaves the
 * most room for the rest, so nothing needs trying again): each part is searched for once, where a
 * regular expression of the pattern could backtrack for ages.
 */
function matches(patterns: string, start: number, end: number, target: string): boolean {
  const anchored = end > start && patterns.charCodeAt(end - 1) === DOLLAR;
  const stop = anchored ? end - 1 : end;
  let p = start;
  let at = 0;
  for (; p < stop && patterns.charCodeAt(p) !== STAR; p += 1, at += 1) {
    if (at >= target.length || patterns.charCodeAt(p) !== target.charCodeAt(at)) return false;
  }
  if (p === stop) return !anchored || at === target.length;
  const parts = patterns.slice(p + 1, stop).split('*');
  const last = anchored ? parts.pop()! : undefined;
  for (const part of parts) {
    const found = target.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  // Anchored: the last part must end the target, after everything matched before it.
  return last === undefined || (target.endsWith(last) && target.length - last.length >= at);
}

/** Percent-encodes characters outside ASCII and upper-cases %xx escapes, so both sides compare alike. */
function normalizeEncoding(value: string): string {
  return value
    .replace(/[^\x00-\x7F]+/gu, (chars) => encodeURIComponent(chars))
    .replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase());
}
