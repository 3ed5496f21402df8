import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collapseWhitespace, stripInvalidXmlChars, truncate } from '../../src/ingest/text.js';
import { findLabelledValue } from '../../src/ingest/page/page-labels.js';

describe('findLabelledValue', () => {
  const cases: [text: string, expected: string | undefined][] = [
    ['宝钢股份启动规划编制工作,作者:吴刚。', '吴刚'],
    ['作者：吴刚 编辑：王五', '吴刚'],
    ['本报记者 吴刚 报道', '吴刚'],
    ['【作者：吴刚】', '吴刚'],
    ['记者 李四;作者:吴刚', '吴刚'],
    ['作者:', undefined],
    ['没有署名的文章', undefined],
    // Spaced labels and newspaper bylines, as article pages write them.
    ['作　者：张三 今天钢价上涨', '张三'],
    ['文/李明 宝钢集团', '李明'],
  ];
  for (const [text, expected] of cases) {
    it(`${text} → ${expected ?? 'undefined'}`, () => assert.equal(findLabelledValue(text, 'authors'), expected));
  }
  it('finds other labels too', () => {
    assert.equal(findLabelledValue('2019-06-28 来源：新华网 【编辑：王五】', 'editor'), '王五');
    assert.equal(findLabelledValue('2019-06-28 来源：新华网 【编辑：王五】', 'source'), '新华网');
  });
});

describe('text helpers', () => {
  it('truncate cuts at a character boundary and marks the cut', () => {
    assert.equal(truncate('钢铁企业', 4), '钢铁企业');
    assert.equal(truncate('钢铁企业要闻', 4), '钢铁企…');
    assert.equal(truncate('ab👍🏽cd', 3), 'ab…');
    assert.equal(truncate('a👍🏽cd', 3), 'a👍🏽…');
  });
  it('collapseWhitespace folds ideographic spaces and NBSP', () => {
    assert.equal(collapseWhitespace(' 沙钢集团\u3000\u00a0 &\n东北特钢 '), '沙钢集团 & 东北特钢');
  });
  it('stripInvalidXmlChars removes controls, U+FFFE/FFFF and lone surrogates only', () => {
    assert.equal(stripInvalidXmlChars('a\u0001\u000Bb\tc\r\nd\uFFFF\uD800e\uDC00f😀'), 'ab\tc\r\ndef😀');
  });
});
