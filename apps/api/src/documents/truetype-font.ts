import { readFileSync } from 'node:fs';

/**
 * A TrueType font read for embedding in a PDF: which glyph draws a character, how wide it is, and
 * a subset of the font file holding only the glyphs a document uses. Glyph ids stay as they are in
 * the full font (unused glyphs are left empty), so a PDF can name glyphs by id (Identity-H).
 */
export interface TrueTypeFont {
  /** The PostScript name, e.g. `DejaVuSans-Bold`. */
  readonly postScriptName: string;
  readonly unitsPerEm: number;
  readonly ascent: number;
  readonly descent: number;
  readonly capHeight: number;
  readonly bbox: readonly [number, number, number, number];
  /** The glyph that draws a character, or undefined when the font has none. */
  glyphOf(codePoint: number): number | undefined;
  /** A glyph's advance width in font units. */
  advanceOf(glyph: number): number;
  /** The font file with only these glyphs (and the glyphs they are built of) drawn. */
  subset(glyphs: ReadonlySet<number>): Buffer;
}

/** Tables a PDF reader needs of an embedded TrueType font (ISO 32000-1, 9.9). */
const EMBEDDED_TABLES = ['cvt ', 'fpgm', 'glyf', 'head', 'hhea', 'hmtx', 'loca', 'maxp', 'prep'] as const;

export function readTrueTypeFont(path: string): TrueTypeFont {
  const file = readFileSync(path);
  const tables = new Map<string, Buffer>();
  const tableCount = file.readUInt16BE(4);
  for (let index = 0; index < tableCount; index++) {
    const entry = 12 + 16 * index;
    const tag = file.toString('latin1', entry, entry + 4);
    const offset = file.readUInt32BE(entry + 8);
    tables.set(tag, file.subarray(offset, offset + file.readUInt32BE(entry + 12)));
  }
  const table = (tag: string): Buffer => {
    const found = tables.get(tag);
    if (!found) throw new Error(`${path} has no ${tag} table`);
    return found;
  };

  const head = table('head');
  const hhea = table('hhea');
  const os2 = table('OS/2');
  // fsType bit 1: restricted licence, the font may not be embedded.
  if ((os2.readUInt16BE(8) & 0x0002) !== 0) throw new Error(`${path} may not be embedded`);
  const unitsPerEm = head.readUInt16BE(18);
  const longLoca = head.readInt16BE(50) === 1;
  const glyphCount = table('maxp').readUInt16BE(4);
  const metricCount = hhea.readUInt16BE(34);
  const hmtx = table('hmtx');
  const loca = table('loca');
  const glyf = table('glyf');
  const glyphStart = (glyph: number) => (longLoca ? loca.readUInt32BE(4 * glyph) : 2 * loca.readUInt16BE(2 * glyph));
  const characterGlyphs = unicodeCmap(table('cmap'));

  /** The glyph and every glyph a composite glyph is built of. */
  const withComponents = (glyphs: ReadonlySet<number>): Set<number> => {
    const closed = new Set<number>([0, ...glyphs]);
    const pending = [...closed];
    while (pending.length > 0) {
      const glyph = pending.pop() as number;
      const start = glyphStart(glyph);
      if (glyphStart(glyph + 1) === start || glyf.readInt16BE(start) >= 0) continue;
      let at = start + 10;
      for (;;) {
        const flags = glyf.readUInt16BE(at);
        const component = glyf.readUInt16BE(at + 2);
        if (!closed.has(component)) {
          closed.add(component);
          pending.push(component);
        }
        at += 4 + (flags & 0x0001 ? 4 : 2) + (flags & 0x0008 ? 2 : flags & 0x0040 ? 4 : flags & 0x0080 ? 8 : 0);
        if (!(flags & 0x0020)) break;
      }
    }
    return closed;
  };

  return {
    postScriptName: postScriptNameOf(table('name')) ?? 'Font',
    unitsPerEm,
    ascent: hhea.readInt16BE(4),
    descent: hhea.readInt16BE(6),
    capHeight: os2.readUInt16BE(0) >= 2 ? os2.readInt16BE(88) : hhea.readInt16BE(4),
    bbox: [head.readInt16BE(36), head.readInt16BE(38), head.readInt16BE(40), head.readInt16BE(42)],
    glyphOf: (codePoint) => {
      const glyph = characterGlyphs.get(codePoint);
      return glyph === undefined || glyph === 0 || glyph >= glyphCount ? undefined : glyph;
    },
    advanceOf: (glyph) => hmtx.readUInt16BE(4 * Math.min(glyph, metricCount - 1)),
    subset: (glyphs) => {
      const kept = withComponents(glyphs);
      const parts: Buffer[] = [];
      const offsets = Buffer.alloc(4 * (glyphCount + 1));
      let length = 0;
      for (let glyph = 0; glyph < glyphCount; glyph++) {
        offsets.writeUInt32BE(length, 4 * glyph);
        if (!kept.has(glyph)) continue;
        const outline = glyf.subarray(glyphStart(glyph), glyphStart(glyph + 1));
        // Glyphs start on 4-byte boundaries.
        const padded = Buffer.concat([outline, Buffer.alloc((4 - (outline.length % 4)) % 4)]);
        parts.push(padded);
        length += padded.length;
      }
      offsets.writeUInt32BE(length, 4 * glyphCount);
      const newHead = Buffer.from(head);
      newHead.writeUInt32BE(0, 8);
      newHead.writeInt16BE(1, 50);
      const replaced = new Map<string, Buffer>([
        ['head', newHead],
        ['loca', offsets],
        ['glyf', Buffer.concat(parts)],
      ]);
      const present = EMBEDDED_TABLES.filter((tag) => tables.has(tag));
      const font = fontFile(present.map((tag) => [tag, replaced.get(tag) ?? (tables.get(tag) as Buffer)] as const));
      // head.checkSumAdjustment makes the whole file sum to 0xB1B0AFBA.
      const headEntry = 12 + 16 * present.indexOf('head');
      font.writeUInt32BE((0xb1b0afba - checksum(font)) >>> 0, font.readUInt32BE(headEntry + 8) + 8);
      return font;
    },
  };
}

/** Unicode code point → glyph, from the Windows Unicode subtables (full repertoire first). */
function unicodeCmap(cmap: Buffer): Map<number, number> {
  const map = new Map<number, number>();
  const subtables: Array<{ platform: number; encoding: number; offset: number }> = [];
  for (let index = 0; index < cmap.readUInt16BE(2); index++) {
    const entry = 4 + 8 * index;
    subtables.push({
      platform: cmap.readUInt16BE(entry),
      encoding: cmap.readUInt16BE(entry + 2),
      offset: cmap.readUInt32BE(entry + 4),
    });
  }
  const chosen =
    subtables.find((s) => s.platform === 3 && s.encoding === 10 && cmap.readUInt16BE(s.offset) === 12) ??
    subtables.find((s) => s.platform === 3 && s.encoding === 1 && cmap.readUInt16BE(s.offset) === 4);
  if (!chosen) throw new Error('The font has no Unicode character map');
  const at = chosen.offset;
  if (cmap.readUInt16BE(at) === 12) {
    for (let group = 0; group < cmap.readUInt32BE(at + 12); group++) {
      const entry = at + 16 + 12 * group;
      const [first, last, glyph] = [
        cmap.readUInt32BE(entry),
        cmap.readUInt32BE(entry + 4),
        cmap.readUInt32BE(entry + 8),
      ];
      for (let code = first; code <= last; code++) map.set(code, glyph + code - first);
    }
    return map;
  }
  const segments = cmap.readUInt16BE(at + 6) / 2;
  const ends = at + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;
  for (let segment = 0; segment < segments; segment++) {
    const end = cmap.readUInt16BE(ends + 2 * segment);
    const start = cmap.readUInt16BE(starts + 2 * segment);
    const delta = cmap.readInt16BE(deltas + 2 * segment);
    const rangeAt = rangeOffsets + 2 * segment;
    const rangeOffset = cmap.readUInt16BE(rangeAt);
    for (let code = start; code <= end && code !== 0xffff; code++) {
      if (rangeOffset === 0) {
        map.set(code, (code + delta) & 0xffff);
        continue;
      }
      const glyph = cmap.readUInt16BE(rangeAt + rangeOffset + 2 * (code - start));
      if (glyph !== 0) map.set(code, (glyph + delta) & 0xffff);
    }
  }
  return map;
}

/** The PostScript name (name id 6), as the Windows or Mac record holds it. */
function postScriptNameOf(name: Buffer): string | undefined {
  const stringsAt = name.readUInt16BE(4);
  for (let index = 0; index < name.readUInt16BE(2); index++) {
    const record = 6 + 12 * index;
    if (name.readUInt16BE(record + 6) !== 6) continue;
    const text = name.subarray(
      stringsAt + name.readUInt16BE(record + 10),
      stringsAt + name.readUInt16BE(record + 10) + name.readUInt16BE(record + 8),
    );
    return name.readUInt16BE(record) === 3 ? text.swap16().toString('utf16le') : text.toString('latin1');
  }
  return undefined;
}

/** The sum of a table's (or file's) big-endian 32-bit words. */
function checksum(data: Buffer): number {
  let sum = 0;
  const padded = Buffer.concat([data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
  for (let at = 0; at < padded.length; at += 4) sum = (sum + padded.readUInt32BE(at)) >>> 0;
  return sum;
}

/** A TrueType file of these tables (tags in ascending order). */
function fontFile(tables: ReadonlyArray<readonly [string, Buffer]>): Buffer {
  const count = tables.length;
  const power = 2 ** Math.floor(Math.log2(count));
  const header = Buffer.alloc(12 + 16 * count);
  header.writeUInt32BE(0x00010000, 0);
  header.writeUInt16BE(count, 4);
  header.writeUInt16BE(power * 16, 6);
  header.writeUInt16BE(Math.log2(power), 8);
  header.writeUInt16BE(count * 16 - power * 16, 10);
  const bodies: Buffer[] = [];
  let offset = header.length;
  tables.forEach(([tag, data], index) => {
    const entry = 12 + 16 * index;
    header.write(tag, entry, 'latin1');
    header.writeUInt32BE(checksum(data), entry + 4);
    header.writeUInt32BE(offset, entry + 8);
    header.writeUInt32BE(data.length, entry + 12);
    const padded = Buffer.concat([data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
    bodies.push(padded);
    offset += padded.length;
  });
  return Buffer.concat([header, ...bodies]);
}
