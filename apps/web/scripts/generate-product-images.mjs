#!/usr/bin/env node
// Writes the storefront's product illustrations to apps/web/public/images/products/.
//
//   node apps/web/scripts/generate-product-images.mjs          write every file
//   node apps/web/scripts/generate-product-images.mjs --check  exit 1 if a file is missing or differs
//
// Files are named {kind}-{colour}.svg (tee, hoodie, cap, mug × white, black, navy, red, green,
// grey) plus tote-natural.svg. Each is a flat illustration on a light neutral square, 400×400,
// self-contained (no text, no external references) and at most 2 KB. The output is
// deterministic, so the generated files are committed and the seed data refers to them as
// /images/products/<name>.svg.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'images', 'products');
const MAX_BYTES = 2048;

const BACKGROUND = '#efece6';
const FLOOR_SHADOW = '#e0dcd3';

// fill: the item's colour; line: outline and seams; detail: trims that must contrast with fill.
const COLOURS = {
  white: { fill: '#f8f8f6', line: '#b9b9b3', detail: '#d9d9d4' },
  black: { fill: '#2b2b2f', line: '#111113', detail: '#4a4a50' },
  navy: { fill: '#22335e', line: '#121d38', detail: '#3a4d7f' },
  red: { fill: '#c7352f', line: '#8c211d', detail: '#e0574f' },
  green: { fill: '#2f7a4b', line: '#1d5232', detail: '#46996a' },
  grey: { fill: '#8d9095', line: '#5f6267', detail: '#a9acb0' },
};

const NATURAL = { fill: '#eadfc4', line: '#a8956c', detail: '#cdbb92' };

/** Common outline attributes for the main shape. */
const outline = (c) => `fill="${c.fill}" stroke="${c.line}" stroke-width="4" stroke-linejoin="round"`;
/** A soft shade on the right-hand side of a shape, drawn over it. */
const SHADE = 'fill="#000" fill-opacity=".07"';

const DRAW = {
  tee: (c) =>
    `<ellipse cx="200" cy="342" rx="120" ry="12" fill="${FLOOR_SHADOW}"/>` +
    `<path d="M152 78 98 100 56 170 104 196 124 168V318q0 12 12 12h128q12 0 12-12V168l20 28 48-26-42-70-54-22q-48 38-96 0Z" ${outline(c)}/>` +
    `<path d="M200 97q24 0 48-19l54 22 42 70-48 26-20-28v150q0 12-12 12h-64Z" ${SHADE}/>` +
    `<path d="M152 78q48 42 96 0" fill="none" stroke="${c.line}" stroke-width="8" stroke-linecap="round"/>` +
    `<path d="M68 150l44 24M332 150l-44 24" stroke="${c.line}" stroke-width="3" stroke-opacity=".5"/>`,

  hoodie: (c) =>
    `<ellipse cx="200" cy="346" rx="130" ry="12" fill="${FLOOR_SHADOW}"/>` +
    `<path d="M146 96 104 114q-22 10-26 40L60 300l36 6 22-116 6 140h152l6-140 22 116 36-6-18-146q-4-30-26-40l-42-18Z" ${outline(c)}/>` +
    `<path d="M200 112h54l42 18q22 10 26 40l18 130-36 6-22-116-6 140h-76Z" ${SHADE}/>` +
    `<path d="M146 104q0-64 54-66 54 2 54 66-54 30-108 0Z" ${outline(c)}/>` +
    `<path d="M166 108q2-46 34-48 32 2 34 48-34 18-68 0Z" fill="${c.line}"/>` +
    `<path d="M190 122v52M210 122v52" stroke="${c.detail}" stroke-width="5" stroke-linecap="round"/>` +
    `<path d="M150 248h100l16 52H134Z" fill="none" stroke="${c.line}" stroke-width="3" stroke-linejoin="round"/>` +
    `<path d="M124 318h152M62 292l36 6M338 292l-36 6" stroke="${c.line}" stroke-width="6" stroke-opacity=".55"/>`,

  cap: (c) =>
    `<ellipse cx="220" cy="290" rx="160" ry="14" fill="${FLOOR_SHADOW}"/>` +
    `<path d="M268 250q84-20 120 10 6 14-8 18-60 14-114-6Z" ${outline(c)}/>` +
    `<path d="M86 262q-6-142 126-150 108 2 116 146Z" ${outline(c)}/>` +
    `<path d="M212 112q108 2 116 146H212Z" ${SHADE}/>` +
    `<path d="M212 112q-44 60-46 150M212 112q36 50 56 148" fill="none" stroke="${c.line}" stroke-width="3" stroke-opacity=".7"/>` +
    `<path d="M87 250q120 20 240 6" fill="none" stroke="${c.line}" stroke-width="6" stroke-opacity=".5"/>` +
    `<circle cx="212" cy="112" r="9" fill="${c.detail}" stroke="${c.line}" stroke-width="3"/>` +
    `<circle cx="140" cy="170" r="4" fill="${c.line}"/>`,

  mug: (c) =>
    `<ellipse cx="215" cy="336" rx="130" ry="12" fill="${FLOOR_SHADOW}"/>` +
    `<path d="M280 170q62-6 62 56t-62 58" fill="none" stroke="${c.line}" stroke-width="30" stroke-linecap="round"/>` +
    `<path d="M280 170q62-6 62 56t-62 58" fill="none" stroke="${c.fill}" stroke-width="22" stroke-linecap="round"/>` +
    `<path d="M110 128v172q0 30 30 30h120q30 0 30-30V128Z" ${outline(c)}/>` +
    `<path d="M220 128h70v172q0 30-30 30h-40Z" ${SHADE}/>` +
    `<ellipse cx="200" cy="128" rx="90" ry="20" ${outline(c)}/>` +
    `<ellipse cx="200" cy="130" rx="76" ry="13" fill="${c.line}"/>` +
    `<path d="M138 160v130" stroke="#fff" stroke-opacity=".35" stroke-width="10" stroke-linecap="round"/>`,

  tote: (c) =>
    `<ellipse cx="200" cy="346" rx="130" ry="12" fill="${FLOOR_SHADOW}"/>` +
    `<path d="M150 160q0-110 50-110t50 110" fill="none" stroke="${c.line}" stroke-width="16" stroke-opacity=".6"/>` +
    `<path d="M112 150h176l14 186H98Z" ${outline(c)}/>` +
    `<path d="M200 150h88l14 186H200Z" ${SHADE}/>` +
    `<path d="M138 156q0-124 62-124t62 124" fill="none" stroke="${c.detail}" stroke-width="14"/>` +
    `<path d="M138 156q0-124 62-124t62 124" fill="none" stroke="${c.line}" stroke-width="2" stroke-opacity=".6"/>` +
    `<path d="M114 172h172" stroke="${c.line}" stroke-width="3" stroke-dasharray="8 6" stroke-opacity=".7"/>` +
    `<rect x="130" y="152" width="16" height="26" fill="${c.detail}"/><rect x="254" y="152" width="16" height="26" fill="${c.detail}"/>`,
};

function svg(body) {
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400">' +
    `<rect width="400" height="400" fill="${BACKGROUND}"/>` +
    body +
    '</svg>\n'
  );
}

function allImages() {
  const images = new Map();
  for (const kind of ['tee', 'hoodie', 'cap', 'mug']) {
    for (const [name, colour] of Object.entries(COLOURS)) {
      images.set(`${kind}-${name}.svg`, svg(DRAW[kind](colour)));
    }
  }
  images.set('tote-natural.svg', svg(DRAW.tote(NATURAL)));
  return images;
}

async function main() {
  const check = process.argv.includes('--check');
  const images = allImages();
  let problems = 0;
  if (!check) await mkdir(OUT_DIR, { recursive: true });
  for (const [file, content] of images) {
    const bytes = Buffer.byteLength(content);
    if (bytes > MAX_BYTES) {
      console.error(`${file}: ${bytes} bytes, over the ${MAX_BYTES}-byte budget`);
      problems++;
    }
    const path = join(OUT_DIR, file);
    if (check) {
      const onDisk = await readFile(path, 'utf8').catch(() => null);
      if (onDisk !== content) {
        console.error(`${file}: ${onDisk === null ? 'missing' : 'out of date'}`);
        problems++;
      }
    } else {
      await writeFile(path, content);
    }
  }
  if (problems > 0) {
    console.error(check ? 'run: node apps/web/scripts/generate-product-images.mjs' : 'fix the drawings above');
    process.exit(1);
  }
  console.log(`${check ? 'checked' : 'wrote'} ${images.size} images in ${OUT_DIR}`);
}

await main();
