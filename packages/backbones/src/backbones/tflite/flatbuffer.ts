/**
 * A minimal, bounds-checked reader of FlatBuffers tables (the binary layout TFLite files use), enough
 * to walk a schema by field index without generated code. Every out-of-range offset throws an
 * Error naming the source, so a truncated file fails clearly instead of returning garbage.
 */
export class FlatBufferError extends Error {}

export class FlatBuffer {
  readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    /** Named in every error (usually the file path). */
    readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  check(offset: number, size: number, what: string): void {
    if (!Number.isInteger(offset) || offset < 0 || offset + size > this.bytes.byteLength) {
      throw new FlatBufferError(
        `${this.source}: truncated or corrupt flatbuffer (${what} at byte ${offset}+${size} lies outside the ${this.bytes.byteLength}-byte file)`,
      );
    }
  }

  u8(o: number): number { this.check(o, 1, 'uint8'); return this.view.getUint8(o); }
  i8(o: number): number { this.check(o, 1, 'int8'); return this.view.getInt8(o); }
  u16(o: number): number { this.check(o, 2, 'uint16'); return this.view.getUint16(o, true); }
  i32(o: number): number { this.check(o, 4, 'int32'); return this.view.getInt32(o, true); }
  u32(o: number): number { this.check(o, 4, 'uint32'); return this.view.getUint32(o, true); }
  f32(o: number): number { this.check(o, 4, 'float32'); return this.view.getFloat32(o, true); }
  i64(o: number): number { this.check(o, 8, 'int64'); return Number(this.view.getBigInt64(o, true)); }

  /** The 4-byte file identifier stored after the root offset (e.g. "TFL3"), or '' if too short. */
  identifier(): string {
    if (this.bytes.byteLength < 8) return '';
    return String.fromCharCode(...this.bytes.subarray(4, 8));
  }

  root(): Table {
    return new Table(this, this.u32(0));
  }
}

/** One table: fields are addressed by their index in the schema (declaration order). */
export class Table {
  private readonly vtable: number;
  private readonly vtableSize: number;

  constructor(readonly fb: FlatBuffer, readonly pos: number) {
    this.vtable = pos - fb.i32(pos);
    this.vtableSize = fb.u16(this.vtable);
    fb.check(this.vtable, this.vtableSize, 'vtable');
  }

  /** Absolute position of field `index`, or 0 when the field is absent (default value). */
  private field(index: number): number {
    const slot = 4 + 2 * index;
    if (slot >= this.vtableSize) return 0;
    const rel = this.fb.u16(this.vtable + slot);
    return rel === 0 ? 0 : this.pos + rel;
  }

  has(index: number): boolean { return this.field(index) !== 0; }
  u8(index: number, dflt = 0): number { const p = this.field(index); return p ? this.fb.u8(p) : dflt; }
  i8(index: number, dflt = 0): number { const p = this.field(index); return p ? this.fb.i8(p) : dflt; }
  i32(index: number, dflt = 0): number { const p = this.field(index); return p ? this.fb.i32(p) : dflt; }
  u32(index: number, dflt = 0): number { const p = this.field(index); return p ? this.fb.u32(p) : dflt; }
  f32(index: number, dflt = 0): number { const p = this.field(index); return p ? this.fb.f32(p) : dflt; }

  /** Follow the uoffset stored at field `index`, or return 0 when absent. */
  private deref(index: number): number {
    const p = this.field(index);
    return p ? p + this.fb.u32(p) : 0;
  }

  table(index: number): Table | undefined {
    const p = this.deref(index);
    return p ? new Table(this.fb, p) : undefined;
  }

  string(index: number): string | undefined {
    const bytes = this.vectorBytes(index, 1);
    return bytes && new TextDecoder().decode(bytes);
  }

  /** Start and length of the vector at field `index` (elements of `elemSize` bytes), bounds-checked. */
  private vector(index: number, elemSize: number): { start: number; length: number } | undefined {
    const p = this.deref(index);
    if (!p) return undefined;
    const length = this.fb.u32(p);
    this.fb.check(p + 4, length * elemSize, `vector of ${length} elements`);
    return { start: p + 4, length };
  }

  vectorBytes(index: number, elemSize = 1): Uint8Array | undefined {
    const v = this.vector(index, elemSize);
    return v && this.fb.bytes.subarray(v.start, v.start + v.length * elemSize);
  }

  i32Vector(index: number): number[] {
    const v = this.vector(index, 4);
    return v ? Array.from({ length: v.length }, (_, i) => this.fb.i32(v.start + 4 * i)) : [];
  }

  f32Vector(index: number): number[] {
    const v = this.vector(index, 4);
    return v ? Array.from({ length: v.length }, (_, i) => this.fb.f32(v.start + 4 * i)) : [];
  }

  i64Vector(index: number): number[] {
    const v = this.vector(index, 8);
    return v ? Array.from({ length: v.length }, (_, i) => this.fb.i64(v.start + 8 * i)) : [];
  }

  tableVector(index: number): Table[] {
    const v = this.vector(index, 4);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => {
      const at = v.start + 4 * i;
      return new Table(this.fb, at + this.fb.u32(at));
    });
  }
}
