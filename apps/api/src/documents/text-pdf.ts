/**
 * A text document as PDF 1.4: A4 pages of lines in Helvetica (one of the fourteen fonts every
 * reader has, so nothing is embedded), WinAnsi-encoded, which holds Danish letters. Enough for a
 * certificate that must print the same everywhere, without a PDF library and its native parts.
 */

export interface DocumentLine {
  text: string;
  /** Default `body`. */
  style?: 'title' | 'heading' | 'body' | 'small';
}

const PAGE = { width: 595, height: 842, margin: 56 };
const STYLES = {
  title: { font: 'F2', size: 16, leading: 26 },
  heading: { font: 'F2', size: 11, leading: 20 },
  body: { font: 'F1', size: 10, leading: 14 },
  small: { font: 'F1', size: 8, leading: 11 },
} as const;
/** Characters per line before a body line wraps (Helvetica 10 pt across the text width). */
const WRAP_AT = 95;

/** A line of more than `WRAP_AT` characters as several, broken at spaces where it can be. */
function wrapped(line: DocumentLine): DocumentLine[] {
  const width = line.style === 'small' ? Math.floor(WRAP_AT * 1.25) : WRAP_AT;
  const parts: DocumentLine[] = [];
  let rest = line.text;
  while (rest.length > width) {
    const space = rest.lastIndexOf(' ', width);
    const cut = space > width / 2 ? space : width;
    parts.push({ ...line, text: rest.slice(0, cut).trimEnd() });
    rest = rest.slice(cut).trimStart();
  }
  parts.push({ ...line, text: rest });
  return parts;
}

/** A PDF string literal in WinAnsi (Latin-1 for these letters): outside it becomes `?`. */
function pdfString(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 63;
    const byte = code === 0x2013 ? 0x96 : code === 0x2014 ? 0x97 : code <= 0xff && code >= 0x20 ? code : 63;
    const ch = String.fromCharCode(byte);
    out += ch === '(' || ch === ')' || ch === '\\' ? `\\${ch}` : ch;
  }
  return `(${out})`;
}

/** The content stream of one page. */
function pageContent(lines: readonly DocumentLine[]): string {
  let y = PAGE.height - PAGE.margin;
  const ops: string[] = [];
  for (const line of lines) {
    const style = STYLES[line.style ?? 'body'];
    y -= style.leading;
    ops.push(`BT /${style.font} ${style.size} Tf ${PAGE.margin} ${y} Td ${pdfString(line.text)} Tj ET`);
  }
  return ops.join('\n');
}

/** Lines split into pages by the space their styles take. */
function paginate(lines: readonly DocumentLine[]): DocumentLine[][] {
  const pages: DocumentLine[][] = [[]];
  let used = 0;
  const height = PAGE.height - 2 * PAGE.margin;
  for (const line of lines.flatMap(wrapped)) {
    const leading = STYLES[line.style ?? 'body'].leading;
    if (used + leading > height) {
      pages.push([]);
      used = 0;
    }
    (pages[pages.length - 1] as DocumentLine[]).push(line);
    used += leading;
  }
  return pages;
}

/** The document as a PDF file. */
export function textPdf(lines: readonly DocumentLine[], info: { title: string }): Buffer {
  const pages = paginate(lines);
  // Objects: 1 catalog, 2 page tree, 3 and 4 fonts, 5 info, then a page and its content per page.
  const objects: string[] = [];
  const pageIds = pages.map((_, index) => 6 + 2 * index);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
  objects[4] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>';
  objects[5] = `<< /Title ${pdfString(info.title)} /Producer (Tracershop) >>`;
  pages.forEach((page, index) => {
    const pageId = pageIds[index] as number;
    const content = pageContent(page);
    objects[pageId] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE.width} ${PAGE.height}] ` +
      `/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageId + 1} 0 R >>`;
    objects[pageId + 1] = `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`;
  });

  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(body, 'latin1');
    body += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) body += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info 5 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
