/**
 * Imported models cached on disk in the tfjs layers format (model.json + weights.bin). Written into a
 * temp directory then renamed, so readers never see half a cache; a cache that fails any check
 * (parse, metadata, weights checksum) is reported as absent and rebuilt by the caller.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { sha256 } from '@udtl/datasets';

type Meta = Record<string, string | number>;

function concatWeights(data: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array {
  if (!data) return new Uint8Array(0);
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let at = 0;
  for (const p of parts) { out.set(new Uint8Array(p), at); at += p.byteLength; }
  return out;
}

/**
 * Save `model` to `dir`. An existing `dir` is kept (another process may be reading it) unless
 * `replace` is set, which callers do only after `loadModelCache` rejected that directory.
 */
export async function saveModelCache(model: tfl.LayersModel, dir: string, meta: Meta, opts: { replace?: boolean } = {}): Promise<void> {
  if (!opts.replace && existsSync(join(dir, 'model.json'))) return;
  await mkdir(dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weights = concatWeights(artifacts.weightData as ArrayBuffer | ArrayBuffer[] | undefined);
        const json = {
          format: 'layers-model',
          generatedBy: '@udtl/core backbones',
          udtl: { ...meta, weightsSha256: sha256(weights) },
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        };
        await mkdir(tmp, { recursive: true });
        await writeFile(join(tmp, 'weights.bin'), weights);
        await writeFile(join(tmp, 'model.json'), JSON.stringify(json));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    if (opts.replace) await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    // Another process may have just renamed its own complete copy into place: that one is as good.
    if (!existsSync(join(dir, 'model.json'))) throw err;
  }
}

/** The cached model, or undefined (with the reason passed to `log`) when absent or not trustworthy. */
export async function loadModelCache(dir: string, meta: Meta, log?: (m: string) => void): Promise<tfl.LayersModel | undefined> {
  const jsonPath = join(dir, 'model.json');
  if (!existsSync(jsonPath)) return undefined;
  try {
    const json = JSON.parse(await readFile(jsonPath, 'utf8'));
    for (const [k, v] of Object.entries(meta)) {
      if (json.udtl?.[k] !== v) throw new Error(`metadata ${k} is ${JSON.stringify(json.udtl?.[k])}, expected ${JSON.stringify(v)}`);
    }
    const weights = await readFile(join(dir, 'weights.bin'));
    if (sha256(weights) !== json.udtl.weightsSha256) throw new Error('weights.bin checksum mismatch');
    const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
    return await tfl.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData }),
    );
  } catch (err) {
    log?.(`ignoring corrupt model cache ${dir}: ${(err as Error).message}; rebuilding`);
    return undefined;
  }
}
