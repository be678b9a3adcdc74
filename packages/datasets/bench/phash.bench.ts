/**
 * Perceptual-hash bench on the shared data: hashing time (cold cache), near-duplicate sets per
 * threshold, and the Hamming distances of constructed copies (re-encoded, resized, cropped) vs
 * unrelated images of the same class. Run: node --import tsx bench/phash.bench.ts [ids…]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImageFile, foldGroups, hammingDistance, loadDataset, nearDuplicateSets, perceptualHashes, phashOfThumbnail, rgbToGrey, PHASH_THRESHOLD } from '../src/index.js';

const ids = process.argv.slice(2).length ? process.argv.slice(2) : ['brain-tumor-mri', 'busi'];
const phashOfBytes = async (bytes: Uint8Array) => phashOfThumbnail(rgbToGrey(await decodeImageFile(bytes, { height: 32, width: 32, mode: 'resize' }, 'x'), 1024));

const VARIANTS: Record<string, (img: sharp.Sharp, w: number, h: number) => sharp.Sharp> = {
  'jpeg q40': (img) => img.jpeg({ quality: 40 }),
  'resize 1/2': (img, w, h) => img.resize(Math.round(w / 2), Math.round(h / 2)).png(),
  'resize 2x': (img, w, h) => img.resize(w * 2, h * 2).png(),
  'crop 2px': (img, w, h) => img.extract({ left: 2, top: 2, width: w - 4, height: h - 4 }).png(),
  'crop 4px': (img, w, h) => img.extract({ left: 4, top: 4, width: w - 8, height: h - 8 }).png(),
  'crop 8px one side': (img, w, h) => img.extract({ left: 8, top: 0, width: w - 8, height: h }).png(),
};

for (const id of ids) {
  const cache = await mkdtemp(join(tmpdir(), 'phash-bench-'));
  const ds = await loadDataset(id);
  const t0 = performance.now();
  const g = await foldGroups(ds, { cacheDir: cache });
  const cold = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await foldGroups(ds, { cacheDir: cache });
  const warm = (performance.now() - t1) / 1000;
  const images = ds.images(ds.samples.map((s) => s.id), { size: 32, mode: 'resize' });
  const { byHash } = await perceptualHashes(images, { cacheDir: cache, name: id });
  const phashOf = new Map(images.ids.map((sid, i) => [sid, byHash.get(images.hashes[i])!]));
  console.log(`\n${id}: ${ds.samples.length} images; groups at T=${PHASH_THRESHOLD}: ${g.nearDuplicateSets.length} near-duplicate sets (${g.nearDuplicateSets.reduce((n, s) => n + s.length, 0)} images, ${g.conflicting.length} with two labels), ${g.groups.length} fold groups; hashing ${cold.toFixed(1)} s cold, ${warm.toFixed(2)} s cached`);
  for (const t of [0, 2, 4, 6, 8, 10, 12, 14]) {
    const sets = nearDuplicateSets(phashOf, t);
    console.log(`  T=${String(t).padStart(2)}: ${sets.length} sets, ${sets.reduce((n, s) => n + s.length, 0)} images, largest ${Math.max(0, ...sets.map((s) => s.length))}`);
  }
  // Unrelated images of one class: every pair's distance (near-duplicates included, so the low tail is an upper bound on false joins).
  const byLabel = new Map<number, string[]>();
  for (const s of ds.samples) byLabel.set(s.label, [...(byLabel.get(s.label) ?? []), s.id]);
  const hist = new Array(65).fill(0);
  let pairs = 0;
  for (const list of byLabel.values()) for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) { hist[hammingDistance(phashOf.get(list[i])!, phashOf.get(list[j])!)]++; pairs++; }
  const cum = (t: number) => hist.slice(0, t + 1).reduce((a: number, b: number) => a + b, 0);
  console.log(`  same-class pairs: ${pairs}; ≤6: ${cum(6)}, ≤8: ${cum(8)}, ≤10: ${cum(10)}, ≤12: ${cum(12)} (median ${hist.findIndex((_, t) => cum(t) >= pairs / 2)})`);
  // Constructed copies of 60 images.
  const picks = ds.samples.filter((_, i) => i % Math.floor(ds.samples.length / 60) === 0).slice(0, 60);
  const worst: Record<string, number[]> = {};
  for (const s of picks) {
    const file = join(ds.location, s.id);
    const { width = 0, height = 0 } = await sharp(file).metadata();
    const orig = phashOf.get(s.id)!;
    for (const [name, f] of Object.entries(VARIANTS)) {
      const bytes = await f(sharp(file), width, height).toBuffer();
      (worst[name] ??= []).push(hammingDistance(orig, await phashOfBytes(bytes)));
    }
  }
  for (const [name, d] of Object.entries(worst)) console.log(`  copy ${name.padEnd(18)} max ${Math.max(...d)}, mean ${(d.reduce((a, b) => a + b, 0) / d.length).toFixed(1)}`);
  await rm(cache, { recursive: true, force: true });
}
