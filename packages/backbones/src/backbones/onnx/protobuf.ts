/**
 * The little of the protobuf wire format an ONNX ModelProto needs: varints (wire type 0),
 * length-delimited bytes/strings/sub-messages (2) and fixed32 floats (5). Writing, plus a schema-less
 * field reader for rewriting existing models.
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** Unsigned or negative integer (int32/int64/enum/bool); negatives take 10 bytes (two's complement). */
  private varint(value: number | bigint): void {
    let v = BigInt(value);
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error(`protobuf: ${value} is not an integer`);
    if (v < 0n) v = BigInt.asUintN(64, v);
    if (v < 0x80n) {
      this.byte(Number(v));
      return;
    }
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    this.reserve(4);
    new DataView(this.buf.buffer, this.buf.byteOffset).setFloat32(this.len, value, true);
    this.len += 4;
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.varint(data.length);
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, encode: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    encode(w);
    return this.bytes(field, w.view());
  }

  /** Packed repeated varints (proto3's default encoding for repeated scalars). */
  packedInts(field: number, values: readonly number[]): this {
    const w = new ProtoWriter();
    for (const v of values) w.varint(v);
    return this.bytes(field, w.view());
  }

  packedFloats(field: number, values: readonly number[]): this {
    const data = new Uint8Array(new Float32Array(values).buffer);
    return this.bytes(field, data);
  }

  /** Already-encoded fields (e.g. `ProtoField.raw` of a message being rewritten), appended unchanged. */
  raw(encoded: Uint8Array): this {
    this.reserve(encoded.length);
    this.buf.set(encoded, this.len);
    this.len += encoded.length;
    return this;
  }

  /** The bytes written so far, without copying (valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** One field of a protobuf message as read: its number, wire type, value, and its exact bytes (tag included). */
export interface ProtoField {
  field: number;
  wire: number;
  /** Varint value (wire type 0); exact up to 2^53. */
  int?: number;
  /** Payload of a length-delimited field (a view into the input, not a copy). */
  bytes?: Uint8Array;
  /** The whole field as encoded, for copying it unchanged into a new message. */
  raw: Uint8Array;
}

/**
 * The top-level fields of one message, in order, without a schema (views into `buf`, no copies).
 * Throws on truncation or on wire types ONNX never uses (groups), which is how a corrupt file shows.
 */
export function readFields(buf: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let at = 0;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= buf.length) throw new Error(`protobuf: truncated varint at byte ${at}`);
      const b = buf[at++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new Error(`protobuf: varint longer than 10 bytes at byte ${at}`);
  };
  while (at < buf.length) {
    const start = at;
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field < 1) throw new Error(`protobuf: invalid field number 0 at byte ${start}`);
    const f: ProtoField = { field, wire, raw: buf };
    if (wire === WIRE_VARINT) {
      f.int = varint();
    } else if (wire === WIRE_LEN) {
      const len = varint();
      if (at + len > buf.length) throw new Error(`protobuf: field ${field} at byte ${start} claims ${len} bytes, only ${buf.length - at} left (truncated?)`);
      f.bytes = buf.subarray(at, at + len);
      at += len;
    } else if (wire === WIRE_FIXED32 || wire === 1) {
      at += wire === WIRE_FIXED32 ? 4 : 8;
      if (at > buf.length) throw new Error(`protobuf: truncated fixed-width field ${field} at byte ${start}`);
    } else {
      throw new Error(`protobuf: unsupported wire type ${wire} (field ${field}) at byte ${start}`);
    }
    f.raw = buf.subarray(start, at);
    fields.push(f);
  }
  return fields;
}

/** A length-delimited field as UTF-8 text. */
export function fieldText(f: ProtoField): string {
  if (!f.bytes) throw new Error(`protobuf: field ${f.field} is not length-delimited`);
  return new TextDecoder().decode(f.bytes);
}
