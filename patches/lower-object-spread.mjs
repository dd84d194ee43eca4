// Rewrites, in place, every object literal that starts with a spread and goes on —
// `{ ...a, ...b, c: d }` — as `Object.assign({}, a, b, { c: d })`, changing only those characters
// so that a patch made from the result stays readable. Used to make patches/mongodb@<v>.patch
// (see patches/README.md): node patches/lower-object-spread.mjs <package dir> <path prefix>...
//
// Why: in V8 11 (Node 20) such a literal gives each object it makes a hidden class of its own
// once the code is optimised, so every call allocates a new map and descriptor array, which
// outlive minor GCs and wait in the old generation for a full one. Object.assign onto `{}` walks
// the shared transition tree instead. The two differ only for a source with an own property
// named `__proto__` (assign sets the prototype) and in when the values after a spread are
// evaluated; the driver's options objects have neither concern.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse } from 'acorn';

const parseOptions = { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true };

function visitNodes(node, visit) {
  if (!node || typeof node.type !== 'string') return;
  visit(node);
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) for (const child of value) visitNodes(child, visit);
    else if (value && typeof value.type === 'string') visitNodes(value, visit);
  }
}

/** The file with its spread-first literals rewritten, and how many there were. */
export function lowerObjectSpread(source) {
  const edits = []; // [offset, characters removed, text inserted]
  let count = 0;
  visitNodes(parse(source, parseOptions), (node) => {
    const members = node.type === 'ObjectExpression' ? node.properties : [];
    if (members.length < 2 || members[0].type !== 'SpreadElement') return;
    count += 1;
    edits.push(source[node.start + 1] === ' ' ? [node.start, 2, 'Object.assign({}, '] : [node.start, 1, 'Object.assign({},']);
    let inGroup = false;
    members.forEach((member, index) => {
      if (member.type === 'SpreadElement') {
        if (inGroup) edits.push([members[index - 1].end, 0, ' }']);
        inGroup = false;
        edits.push([member.start, 3, '']); // the `...`
      } else if (!inGroup) {
        edits.push([member.start, 0, '{ ']);
        inGroup = true;
      }
    });
    const last = members[members.length - 1];
    if (inGroup) edits.push([last.end, 0, ' }']);
    const oneLine = !source.slice(last.end, node.end).includes('\n') && source[node.end - 2] === ' ';
    edits.push(oneLine ? [node.end - 2, 2, ')'] : [node.end - 1, 1, ')']);
  });
  // From the end backwards, so that earlier offsets stay valid; at one offset, removals first.
  edits.sort((a, b) => b[0] - a[0] || b[1] - a[1]);
  let result = source;
  for (const [offset, removed, inserted] of edits) result = result.slice(0, offset) + inserted + result.slice(offset + removed);
  parse(result, parseOptions); // still JavaScript
  return { result, count };
}

function rewriteTree(root, prefixes) {
  let total = 0;
  const visitDir = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        visitDir(path);
        continue;
      }
      const rel = relative(root, path).split(sep).join('/');
      if (!name.endsWith('.js') || !prefixes.some((prefix) => rel.startsWith(prefix))) continue;
      const { result, count } = lowerObjectSpread(readFileSync(path, 'utf8'));
      if (count === 0) continue;
      writeFileSync(path, result);
      total += count;
      console.log(`${count}\t${rel}`);
    }
  };
  visitDir(root);
  console.log(`${total} literals rewritten`);
}

const [root, ...prefixes] = process.argv.slice(2);
if (!root || prefixes.length === 0) {
  console.error('usage: node patches/lower-object-spread.mjs <package dir> <path prefix>...');
  process.exit(2);
}
rewriteTree(root, prefixes);
