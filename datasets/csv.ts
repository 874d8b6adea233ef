/**
 * A streaming RFC 4180 CSV parser (comma-separated by default, or another one-character delimiter such
 * as `;` or tab; `"` quoting with `""` escapes, LF or CRLF line ends, quoted fields may span lines).
 * Blank lines are skipped. Each record carries the 1-based line number it starts on, so errors can
 * point into the file.
 */
export interface CsvRecord {
  readonly fields: string[];
  readonly line: number;
}

/** Thrown for malformed CSV (an unterminated quote, text after a closing quote). */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

export class CsvParser {
  private readonly delimiter: number;
  private field = '';
  private fields: string[] = [];
  private inQuotes = false;
  private afterQuote = false;
  private fieldQuoted = false;
  private line = 1;
  private recordLine = 1;
  private pendingCR = false;
  private first = true;

  /** `delimiter`: the one character that separates fields (default `,`; not `"`, CR or LF). */
  constructor(delimiter = ',') {
    const code = delimiter.charCodeAt(0);
    if (delimiter.length !== 1 || code === 34 || code === 10 || code === 13) throw new RangeError(`CsvParser: invalid delimiter ${JSON.stringify(delimiter)}`);
    this.delimiter = code;
  }

  /** Parses `text` (the next piece of the file) and returns the records completed in it. */
  push(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let i = 0;
    if (this.first) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
    }
    const n = text.length;
    for (; i < n; i++) {
      const ch = text.charCodeAt(i);
      if (this.pendingCR) {
        this.pendingCR = false;
        if (ch === 10) continue; // CRLF: the CR already ended the record
      }
      if (this.inQuotes) {
        if (ch === 34) {
          if (i + 1 < n) {
            if (text.charCodeAt(i + 1) === 34) {
              this.field += '"';
              i++;
            } else {
              this.inQuotes = false;
              this.afterQuote = true;
            }
          } else {
            // The quote is the last character of this piece: decide when the next piece arrives.
            this.inQuotes = false;
            this.afterQuote = true;
          }
        } else {
          if (ch === 10) this.line++;
          this.field += text[i];
        }
        continue;
      }
      if (this.afterQuote && ch === 34) {
        // `""` split across two pieces: an escaped quote inside the quoted field
        this.field += '"';
        this.inQuotes = true;
        this.afterQuote = false;
        continue;
      }
      if (ch === this.delimiter) {
        this.endField();
      } else if (ch === 10 || ch === 13) {
        this.endRecord(out);
        this.line++;
        if (ch === 13) this.pendingCR = true;
      } else if (ch === 34 && this.field.length === 0 && !this.fieldQuoted) {
        this.inQuotes = true;
        this.fieldQuoted = true;
      } else {
        if (this.afterQuote) throw new CsvSyntaxError('text after a closing quote', this.line);
        this.field += text[i];
      }
    }
    return out;
  }

  /** Ends the input; returns the last record if the file does not end with a newline. */
  end(): CsvRecord[] {
    if (this.inQuotes) throw new CsvSyntaxError('unterminated quoted field', this.recordLine);
    const out: CsvRecord[] = [];
    this.endRecord(out);
    return out;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.afterQuote = false;
    this.fieldQuoted = false;
  }

  private endRecord(out: CsvRecord[]): void {
    const blank = this.fields.length === 0 && this.field.length === 0 && !this.fieldQuoted;
    if (!blank) {
      this.endField();
      out.push({ fields: this.fields, line: this.recordLine });
    }
    this.fields = [];
    this.field = '';
    this.afterQuote = false;
    this.fieldQuoted = false;
    this.recordLine = this.line + 1;
  }
}
