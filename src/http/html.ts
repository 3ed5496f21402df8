import { escapeMarkup } from '../text.js';

/** A whole HTML page: the same header, stylesheet and footer around every human-facing route. */
export function page(opts: { title: string; lang: string; head?: string; body: string }): string {
  return `<!DOCTYPE html>
<html lang="${escapeMarkup(opts.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeMarkup(opts.title)}</title>
${opts.head ?? ''}
<style>${STYLE}</style>
</head>
<body>
<header><a href="/" class="home">Syndicator</a></header>
<main>
${opts.body}
</main>
<footer>Feeds: RSS 2.0 · Atom 1.0 · JSON Feed 1.1 — every item carries its authors, source and reprint terms.</footer>
</body>
</html>
`;
}

const STYLE = `
body{font:16px/1.6 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#1d2327;background:#f6f7f7}
header,footer{padding:.8rem 1.5rem;background:#1d2327;color:#fff}footer{background:none;color:#666;font-size:.85rem}
header a.home{color:#fff;font-weight:600;text-decoration:none}
main{max-width:52rem;margin:1.5rem auto;padding:0 1.5rem}
h1{font-size:1.6rem;margin:.2rem 0 .6rem}h2{font-size:1.15rem;margin:1.4rem 0 .4rem}
.card{background:#fff;border:1px solid #dcdcde;border-radius:6px;padding:1rem 1.2rem;margin:.8rem 0}
.feeds a{display:inline-block;margin-right:.6rem;padding:.1rem .55rem;border:1px solid #2271b1;border-radius:4px;text-decoration:none;font-size:.85rem}
.meta{color:#50575e;font-size:.88rem}.terms{background:#fcf9e8;border-left:4px solid #dba617;padding:.5rem .8rem;font-size:.9rem}
a{color:#2271b1}ul.items{list-style:none;padding:0}ul.items li{margin:.9rem 0}
`;
