export * from './key.js';
export { CorruptShardError, decodeSegment, encodeSegment, type SegmentHeader } from './shard-file.js';
export * from './feature-cache.js';
