// Text helpers of the ingest stages; the generic ones live in src/text.ts.

export { collapseWhitespace, stripInvalidXmlChars, truncate } from '../text.js';
