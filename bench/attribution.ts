// How long the attribution checker takes to read and judge one reprinted page, by page size: the
// parse (cheerio) and the judgement (one normalization pass, then native searches) on pages of about
// 50 KB, 500 KB and 2 MB of Chinese text with the attribution at the end. Run: npm run bench:attribution
import { judgePage } from '../src/partners/attribution-check.js';
import { readPageText as readPage } from '../src/ingest/page/page-text.js';

const PARA = '<p>十一月二十日，河北钢铁集团召开安全生产工作会议，会议总结了前三季度安全生产情况。</p>\n';
const EXPECT = {
  sourceName: '河北日报',
  authors: ['李明', '王芳'],
  originalLink: 'https://www.csteelnews.example/qypd/ywjx/a.html',
  excerpt: { fullText: '十一月二十日。会议总结了前三季度安全生产情况。会议要求各单位强化责任落实。', publicExcerpt: '' },
};

for (const paragraphs of [500, 5000, 20000]) {
  const html = `<html><body>${PARA.repeat(paragraphs)}<p>来源:河北日报 作者:李明 王芳 <a href="${EXPECT.originalLink}">原文</a></p></body></html>`;
  const runs = 5;
  let read = 0;
  let judge = 0;
  for (let i = 0; i < runs; i += 1) {
    let t = performance.now();
    const page = readPage(html, 'https://partner.example/news/1.html');
    read += performance.now() - t;
    t = performance.now();
    const duties = judgePage(page, EXPECT);
    judge += performance.now() - t;
    if (!duties.slice(0, 3).every((d) => d.ok)) throw new Error('bench page should pass source, author and link');
  }
  console.log(`${(Buffer.byteLength(html) / 1024).toFixed(0).padStart(6)} KB  read ${(read / runs).toFixed(1).padStart(8)} ms  judge ${(judge / runs).toFixed(1).padStart(8)} ms`);
}
