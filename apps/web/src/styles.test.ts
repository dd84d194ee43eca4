import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The storefront's stylesheet, and those lazy pages bring with them. */
const stylesheets = ['styles.css', 'admin/admin-dashboard.css'];
const read = (file: string) => readFileSync(join(import.meta.dirname, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');

/** The rules opened inside another rule (not inside an at-rule such as @media), and those never closed. */
function nestedAndUnclosed(text: string): { nested: string[]; unclosed: string[] } {
  const open: string[] = [];
  const nested: string[] = [];
  let header = '';
  for (const character of text) {
    if (character === '{') {
      const selector = header.trim().replace(/\s+/g, ' ');
      const parent = open.at(-1);
      if (parent !== undefined && !parent.startsWith('@')) nested.push(`${selector} inside ${parent}`);
      open.push(selector);
      header = '';
    } else if (character === '}') {
      open.pop();
      header = '';
    } else if (character === ';') {
      header = '';
    } else {
      header += character;
    }
  }
  return { nested, unclosed: open };
}

describe.each(stylesheets)('%s', (file) => {
  it('closes every rule, and nests none in another', () => {
    // Browsers read a rule left open with CSS nesting: an unclosed `.variants-editor
    // .options-editor {` made every later rule (the storefront's option pickers, the admin's
    // pricing pages) apply only inside it, that is nowhere, and nothing failed.
    expect(nestedAndUnclosed(read(file))).toEqual({ nested: [], unclosed: [] });
  });
});
