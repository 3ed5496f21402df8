// How values must be handed to the `feed` package (6.0.0, serializing through xml-js 1.6.11) so that
// they come out exactly as given. Shared by the RSS and Atom renderers.

/** Generator name both XML formats announce. */
export const GENERATOR = 'Syndicator';

/**
 * A value feed writes as element text. xml-js first turns every `&amp;` back into `&` and then escapes
 * `&`, `<` and `>`, so a literal "&amp;" would lose its escaping; escaping `&` beforehand makes the
 * round trip exact ("A&B" → "A&amp;B" → "A&B" → "A&amp;B"). Only for values feed does not pass through
 * its own URL or `&` sanitizer (URLs go in raw: feed normalizes and escapes them itself).
 */
export function feedText(s: string): string {
  return s.replace(/&/g, '&amp;');
}
