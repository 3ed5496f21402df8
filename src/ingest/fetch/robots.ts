// robots.txt (RFC 9309): which paths of a host a crawler with our product token may fetch.
// Pure: fetching and caching robots.txt is polite.ts's job.

export interface RobotsRules {
  /** The rules of the groups that apply to us, in file order; empty means everything is allowed. */
  rules: RobotsRule[];
}

interface RobotsRule {
  allow: boolean;
  /** The pattern's parts between `*`s, percent-encoding normalized (see matches). */
  parts: string[];
  /** The pattern ended in `$`: it must match up to the end of the path. */
  anchored: boolean;
  /** The pattern's length in octets, as written (the longest matching rule decides). */
  length: number;
}

/**
 * How much of a robots.txt is read: RFC 9309 §2.5 asks crawlers to parse at least 500 KiB; what follows
 * is ignored, so that a huge file costs no more than that.
 */
export const MAX_ROBOTS_CHARS = 500 * 1024;

/** Every path is allowed: what an absent robots.txt (4xx) means (RFC 9309 §2.3.1.3). */
export const ALLOW_ALL: RobotsRules = { rules: [] };

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
  return {
    rules: applying
      .flatMap((g) => g.rules)
      .map(({ allow, pattern }) => {
        const anchored = pattern.endsWith('$');
        const parts = normalizeEncoding(anchored ? pattern.slice(0, -1) : pattern).split('*');
        return { allow, parts, anchored, length: normalizeEncoding(pattern).length };
      }),
  };
}

/**
 * Whether `pathAndQuery` (a URL's path plus its ?query, as sent on the wire) may be fetched: the
 * matching rule with the longest pattern (in octets, RFC 9309 §2.2.2) decides; an allow wins a tie; no matching rule allows.
 * /robots.txt itself is always allowed.
 */
export function isAllowed(robots: RobotsRules, pathAndQuery: string): boolean {
  const target = normalizeEncoding(pathAndQuery || '/');
  if (target === '/robots.txt') return true;
  let best: { allow: boolean; length: number } | undefined;
  for (const rule of robots.rules) {
    if (!matches(rule, target)) continue;
    const { allow, length } = rule;
    if (!best || length > best.length || (length === best.length && allow && !best.allow)) best = { allow, length };
  }
  return best?.allow ?? true;
}

/**
 * Whether the rule's pattern matches the start of `target` (all of it when anchored): `*` matches any
 * run of characters. The parts between the `*`s are found in order, each at its leftmost place after
 * the previous one (which leaves the most room for the rest, so nothing needs trying again): each part
 * is searched for once, where a regular expression of the pattern could backtrack for ages.
 */
function matches(rule: RobotsRule, target: string): boolean {
  const { parts, anchored } = rule;
  const first = parts[0]!;
  if (!target.startsWith(first)) return false;
  if (parts.length === 1) return !anchored || target.length === first.length;
  let at = first.length;
  const middle = anchored ? parts.length - 1 : parts.length;
  for (let i = 1; i < middle; i += 1) {
    const found = target.indexOf(parts[i]!, at);
    if (found < 0) return false;
    at = found + parts[i]!.length;
  }
  // Anchored: the last part must end the target, after everything matched before it.
  return !anchored || (target.endsWith(parts.at(-1)!) && target.length - parts.at(-1)!.length >= at);
}

/** Percent-encodes characters outside ASCII and upper-cases %xx escapes, so both sides compare alike. */
function normalizeEncoding(value: string): string {
  return value
    .replace(/[^\x00-\x7F]+/gu, (chars) => encodeURIComponent(chars))
    .replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase());
}
