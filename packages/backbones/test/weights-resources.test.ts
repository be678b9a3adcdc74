import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getResource, listResources, locateResource, modelsRoot, sha256 } from '@udtl/datasets';
import { describe, expect, it } from 'vitest';
import { listBackbones, MOBILENET_V2_RESOURCE, MOBILENET_V2_SHA256, WEIGHTS_RESOURCES } from '../src/index.js';

describe('weights resources', () => {
  it('importing the backbones registers every built-in weights resource with the fetch registry', () => {
    expect(listResources().map((r) => r.id)).toEqual(['alexnet', 'mobilenet-v1-0.25', 'mobilenet-v1-0.5', 'mobilenet-v1-0.75', 'mobilenet-v1-1.0', 'mobilenet-v2-1.0']);
    expect(WEIGHTS_RESOURCES.map((r) => r.id).sort()).toEqual(listResources().map((r) => r.id));
    // Every resource is the weights of a registered backbone of the same id.
    for (const r of WEIGHTS_RESOURCES) expect(listBackbones()).toContain(r.id);
    expect(getResource('mobilenet-v2-1.0').files[0].sha256).toBe(MOBILENET_V2_SHA256);
  });

  it.skipIf(!existsSync(join(modelsRoot(), MOBILENET_V2_RESOURCE.dir)))('the MobileNetV2 checksum matches the file in the models root', async () => {
    const found = await locateResource(MOBILENET_V2_RESOURCE);
    expect(found?.from).toBe('models root');
    for (const f of MOBILENET_V2_RESOURCE.files) expect(sha256(readFileSync(join(found!.path, f.name))), f.name).toBe(f.sha256);
  });
});
