import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readLabels, splitNames, takeBracketedLabels, type LabelFacts } from '../../src/ingest/page/page-labels.js';

const NBSP5 = '\u00a0'.repeat(5);

describe('readLabels: the info lines of Chinese news pages', () => {
  const table: [line: string, facts: LabelFacts][] = [
    // the two fixture pages: an empty 作者 gives nothing, never the next label's text
    [`2019-06-28 16:42:00${NBSP5}作者:`, { published: '2019-06-28 16:42:00' }],
    [`2019-06-27 09:15:30${NBSP5}作者:李明 王芳${NBSP5}来源:河北日报`, { published: '2019-06-27 09:15:30', authors: ['李明', '王芳'], source: '河北日报' }],
    ['作者：　　来源：本网', { source: '本网' }],
    ['作者:  来源:新华社  编辑:王五', { source: '新华社', editor: '王五' }],
    // full- and half-width colons, spaced-out labels, | separators
    ['发布时间：2021-3-5 8:05 | 信息来源：河北日报 | 责任编辑：王静', { published: '2021-3-5 8:05', source: '河北日报', editor: '王静' }],
    ['作 者：张三　编 辑：李四', { authors: ['张三'], editor: '李四' }],
    ['时间:2019年06月28日 16:42 来源:中国冶金报', { published: '2019年06月28日 16:42', source: '中国冶金报' }],
    // a value ends at the next label even after one space, and at a date
    ['来源:新华网 作者:张三', { source: '新华网', authors: ['张三'] }],
    ['来源:新华网 2019-06-28 16:42', { source: '新华网', published: '2019-06-28 16:42' }],
    ['来源：新华网 点击：123 【字号 大 中 小】', { source: '新华网' }],
    // bylines
    ['本报记者 张三 李四 通讯员 王五', { authors: ['张三', '李四', '王五'] }],
    ['文/李明 图/张三', { authors: ['李明'] }],
    ['作者：李明、王芳', { authors: ['李明', '王芳'] }],
    ['Author 作者: John Smith, Li Ming', { authors: ['John Smith', 'Li Ming'] }],
    // 更新时间 is not the publication date
    ['发布时间：2019-06-28 更新时间：2019-06-29 08:00', { published: '2019-06-28', updated: '2019-06-29 08:00' }],
  ];
  for (const [line, facts] of table) {
    it(JSON.stringify(line), () => assert.deepEqual(readLabels(line).facts, facts));
  }

  it('tells an info line from article prose', () => {
    assert.equal(readLabels(`2019-06-28 16:42:00${NBSP5}作者:`).infoOnly, true);
    assert.equal(readLabels('2019年08月20日 19:12').infoOnly, true, 'a bare date is an info line');
    assert.equal(readLabels('来源：本网　浏览次数：1024　【打印】【关闭】').infoOnly, true);
    assert.equal(readLabels('6月24日，中国宝武召开扶贫工作领导小组会议，记者了解到作者:张三说').infoOnly, false);
    const prose = readLabels('2019年是全面建成小康社会的关键之年');
    assert.equal(prose.hasLabel, false);
    assert.equal(prose.infoOnly, false);
  });
});

describe('takeBracketedLabels', () => {
  it('takes (责任编辑:王静) out of the closing paragraph and reads it', () => {
    assert.deepEqual(takeBracketedLabels('会议指出，要加强领导。(责任编辑:王静)'), { facts: { editor: '王静' }, rest: '会议指出，要加强领导。' });
    assert.deepEqual(takeBracketedLabels('【编辑：王五】'), { facts: { editor: '王五' }, rest: '' });
    assert.deepEqual(takeBracketedLabels('（来源：新华社）'), { facts: { source: '新华社' }, rest: '' });
  });

  it('reads the byline in a lede and leaves other brackets alone', () => {
    assert.deepEqual(takeBracketedLabels('本报讯（记者 张三 通讯员 李四）6月27日，会议召开。'), {
      facts: { authors: ['张三', '李四'] },
      rest: '本报讯6月27日，会议召开。',
    });
    assert.deepEqual(takeBracketedLabels('重点抓住“三保障”(义务教育、基本医疗、住房安全有保障)存在的薄弱环节'), {
      facts: {},
      rest: '重点抓住“三保障”(义务教育、基本医疗、住房安全有保障)存在的薄弱环节',
    });
  });
});

describe('splitNames', () => {
  it('splits Chinese names on spaces and punctuation, Latin names only on punctuation', () => {
    assert.deepEqual(splitNames('李明 王芳'), ['李明', '王芳']);
    assert.deepEqual(splitNames('李明、王芳，张伟'), ['李明', '王芳', '张伟']);
    assert.deepEqual(splitNames('John Smith; Li Ming'), ['John Smith', 'Li Ming']);
    assert.deepEqual(splitNames('  '), []);
  });
});
