import { downloadFile } from './fetch/download.js';

/**
 * Download `url` to `dest`, verifying its MD5 on the way (temp file + rename: an interrupted or
 * corrupt download never leaves a file that looks valid). A thin wrapper over the fetcher's
 * `downloadFile` (progress bar, UDTL_FETCH_BASE_URL / UDTL_FETCH_REWRITE mirrors).
 */
export async function downloadVerified(url: string, dest: string, md5: string, log?: (m: string) => void): Promise<void> {
  log?.(`downloading ${url} → ${dest}`);
  await downloadFile(url, dest, { md5 });
}
