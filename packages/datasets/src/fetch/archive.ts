/** Entries of a downloaded archive, tar.gz (own reader over Node's zlib) or zip (fflate). */
import { readFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import { readTarFile, safeEntryName, type TarEntry } from './tar.js';

export async function* archiveEntries(path: string, format: 'tar.gz' | 'zip', wanted: (name: string) => boolean): AsyncGenerator<TarEntry> {
  if (format === 'tar.gz') {
    try {
      yield* readTarFile(path, wanted);
    } catch (err) {
      const msg = (err as Error).message;
      throw new Error(msg.startsWith(path) ? msg : `${path}: cannot read archive: ${msg}`);
    }
    return;
  }
  let files: Record<string, Uint8Array>;
  const names: string[] = [];
  try {
    files = unzipSync(await readFile(path), {
      filter: (f) => {
        names.push(f.name);
        return !f.name.endsWith('/') && wanted(safeEntryName(f.name, path));
      },
    });
  } catch (err) {
    throw new Error(`${path}: cannot read zip archive: ${(err as Error).message}`);
  }
  for (const raw of names) {
    const name = safeEntryName(raw, path);
    if (raw.endsWith('/')) { yield { name, type: 'directory', size: 0 }; continue; }
    const data = files[raw];
    yield { name, type: 'file', size: data?.length ?? -1, data: data ? Buffer.from(data.buffer, data.byteOffset, data.length) : undefined };
  }
}
