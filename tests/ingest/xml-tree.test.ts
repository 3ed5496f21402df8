// The feed parser's ordered XML tree: its readers (textContent, innerHtml) walk with an explicit stack,
// so a tree as deep as readXmlTree builds — or deeper, built by hand — is read without recursion.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { innerHtml, MAX_DEPTH, readXmlTree, textContent, type XmlElement } from '../../src/ingest/feed/xml-tree.js';

describe('xml-tree readers', () => {
  it('a document nested exactly MAX_DEPTH deep is written back tag for tag and its text in order', () => {
    // The root plus MAX_DEPTH - 1 nested <b>, each with text before and after its child, and a <br> inside.
    const inner = MAX_DEPTH - 1;
    let body = 'core';
    for (let i = inner; i >= 1; i -= 1) body = `a${i}<b class="c${i}">${body}</b>z${i}`;
    const { root, errors } = readXmlTree(`<div>${body}<br/>end</div>`);
    assert.deepEqual(errors, []);
    let depth = 0;
    for (let el: XmlElement | undefined = root; el; el = el.children.find((c): c is XmlElement => typeof c === 'object' && c.local === 'b')) depth += 1;
    assert.equal(depth, MAX_DEPTH, 'the whole document was built');

    let html = 'core';
    let text = 'core';
    for (let i = inner; i >= 1; i -= 1) {
      html = `a${i}<b class="c${i}">${html}</b>z${i}`;
      text = `a${i}${text}z${i}`;
    }
    assert.equal(innerHtml(root), `${html}<br>end`);
    assert.equal(textContent(root), `${text}end`);
  });

  it('elements past MAX_DEPTH are not built; their text joins the deepest one kept, in order', () => {
    const depth = MAX_DEPTH + 50;
    const { root } = readXmlTree(`${'<i>'.repeat(depth)}deep &amp; <u>low</u>${'</i>'.repeat(depth)}`);
    assert.equal(textContent(root), 'deep & low');
    assert.equal(innerHtml(root), `${'<i>'.repeat(MAX_DEPTH - 1)}deep &amp; low${'</i>'.repeat(MAX_DEPTH - 1)}`);
  });

  it('a tree built by hand 100,000 deep is read without overflowing the stack', () => {
    const depth = 100_000;
    const leaf: XmlElement = { name: 'span', local: 'span', attrs: {}, children: ['<x>'], closed: true };
    let el = leaf;
    for (let i = 1; i < depth; i += 1) el = { name: 'span', local: 'span', attrs: {}, children: [el], closed: true };
    assert.equal(textContent(el), '<x>');
    assert.equal(innerHtml(el), `${'<span>'.repeat(depth - 1)}&lt;x&gt;${'</span>'.repeat(depth - 1)}`);
  });
});
