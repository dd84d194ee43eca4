// Summarises a V8 .cpuprofile (from the inspector, or `node --cpu-prof`): self time by function
// and by where the code comes from (a package, Node's core, the app's own bundled sources).
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface FunctionCost {
  name: string;
  where: string;
  category: string;
  /** Microseconds of self time. */
  self: number;
  /** Microseconds of samples with this function anywhere on the stack (once per sample). */
  total: number;
}

export interface ProfileSummary {
  /** Microseconds the profile covers. */
  total: number;
  /** Microseconds not idle. */
  busy: number;
  functions: FunctionCost[];
  categories: Map<string, number>;
}

const sourceMaps = new Map<string, SourceMap | null>();

function sourceMapFor(url: string): SourceMap | null {
  if (!sourceMaps.has(url)) {
    let map: SourceMap | null;
    try {
      const path = url.startsWith('file:') ? fileURLToPath(url) : url;
      map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
    } catch {
      map = null;
    }
    sourceMaps.set(url, map);
  }
  return sourceMaps.get(url) ?? null;
}

/** Where a frame's code comes from: the original source for bundled code, else its URL. */
function originOf(frame: CallFrame): string {
  const { url } = frame;
  if (url.endsWith('/dist/server.js') || url.endsWith('/dist/main.js')) {
    const entry = sourceMapFor(url)?.findEntry(frame.lineNumber, frame.columnNumber);
    if (entry && 'originalSource' in entry && entry.originalSource) {
      const source = entry.originalSource.replace(/^.*?\/((?:packages|apps|bench|tooling)\/)/, '$1');
      return `${source}:${entry.originalLine + 1}`;
    }
  }
  return url;
}

/** A coarse owner of some code: an npm package, Node's core, the app's packages, or V8 itself. */
export function categoryOf(frame: CallFrame, origin: string): string {
  const name = frame.functionName;
  if (!frame.url) {
    if (name === '(idle)') return '(idle)';
    if (name === '(garbage collector)') return 'V8: garbage collector';
    if (name === '(program)') return 'V8: (program) — compiler, runtime, native';
    if (name === '(root)') return '(root)';
    // Built-ins without a script: JSON.stringify/parse, RegExp, Array methods...
    return `V8 built-in`;
  }
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(origin);
  if (pkg?.[1]) return pkg[1];
  if (origin.startsWith('node:')) {
    const module = /^node:(?:internal\/)?([^/]+)/.exec(origin)?.[1] ?? 'core';
    return `node: ${module}`;
  }
  const workspace = /^(packages\/[^/]+|apps\/[^/]+|bench)\//.exec(origin);
  if (workspace?.[1]) return workspace[1];
  return origin || '(unknown)';
}

function keyOf(frame: CallFrame, origin: string): { key: string; name: string; where: string } {
  const name = frame.functionName || '(anonymous)';
  const where = origin
    ? `${origin.replace(/^.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '')}${origin.includes('node_modules') || origin.startsWith('node:') ? `:${frame.lineNumber + 1}` : ''}`
    : '';
  return { key: `${name}@${where}`, name, where };
}

export function summarise(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfById = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i];
    if (id === undefined) continue;
    // timeDeltas[i] is the time before sample i; the sample stands for the time until the next one.
    const delta = profile.timeDeltas[i + 1] ?? 0;
    selfById.set(id, (selfById.get(id) ?? 0) + delta);
  }
  const functions = new Map<string, FunctionCost>();
  const categories = new Map<string, number>();
  const describeNode = new Map<number, { key: string; name: string; where: string; category: string }>();
  const described = (id: number) => {
    let entry = describeNode.get(id);
    if (!entry) {
      const frame = byId.get(id)?.callFrame ?? { functionName: '(unknown)', url: '', lineNumber: 0, columnNumber: 0 };
      const origin = originOf(frame);
      entry = { ...keyOf(frame, origin), category: categoryOf(frame, origin) };
      describeNode.set(id, entry);
    }
    return entry;
  };
  const cost = (id: number) => {
    const entry = described(id);
    let found = functions.get(entry.key);
    if (!found) {
      found = { name: entry.name, where: entry.where, category: entry.category, self: 0, total: 0 };
      functions.set(entry.key, found);
    }
    return found;
  };
  let total = 0;
  let idle = 0;
  for (const [id, self] of selfById) {
    const entry = described(id);
    total += self;
    if (entry.category === '(idle)') idle += self;
    categories.set(entry.category, (categories.get(entry.category) ?? 0) + self);
    cost(id).self += self;
    // Inclusive time: every distinct function on this node's stack.
    const seen = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) {
      const key = described(node).key;
      if (seen.has(key)) continue;
      seen.add(key);
      cost(node).total += self;
    }
  }
  return {
    total,
    busy: total - idle,
    functions: [...functions.values()].sort((a, b) => b.self - a.self),
    categories,
  };
}
