/**
 * The scenario file as a YAML document with positions. JSON files are read by the same parser
 * (YAML 1.2 is a superset of JSON), so both report lines and columns the same way. This file
 * also maps an offset inside a scalar's *value* back to its line and column in the file, through
 * quotes, escapes and block indentation, so that errors inside a step point at the right column.
 */
import { isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode, type Scalar } from 'yaml';
import { findJsonSyntaxError } from './jsonSyntax.js';
import { ScenarioError, type SourcePosition } from './scenarioError.js';

/** A parsed scenario file: its YAML document and how to turn offsets into positions. */
export interface YamlSource {
  /** The file name, as the user gave it. */
  readonly file: string;
  /** The raw text of the file. */
  readonly text: string;
  /** The document (its nodes keep their source ranges). */
  readonly document: Document.Parsed;
  /** The position of an absolute offset into the file. */
  positionAt(offset: number): SourcePosition;
}

const BYTE_ORDER_MARK = '\uFEFF';

/** Parses `fileText` as YAML (or JSON), after a leading byte order mark if any; throws a ScenarioError at the first syntax error. */
export function readYamlSource(fileText: string, file: string): YamlSource {
  // A UTF-8 byte order mark (U+FEFF, which some Windows editors write) is not content: dropped
  // here for YAML and JSON alike, so line-1 columns count as an editor shows them.
  const text = fileText.startsWith(BYTE_ORDER_MARK) ? fileText.slice(BYTE_ORDER_MARK.length) : fileText;
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const isJson = /\.json$/i.test(file);
  const jsonError = isJson ? findJsonSyntaxError(text) : undefined;
  if (jsonError) {
    const { line, col } = lineCounter.linePos(jsonError.offset);
    throw new ScenarioError(file, { line, column: col }, `bad JSON: ${jsonError.reason}`);
  }
  const first = document.errors[0];
  if (first) {
    const at = first.linePos?.[0] ?? { line: 1, col: 1 };
    throw new ScenarioError(file, { line: at.line, column: at.col }, `bad ${isJson ? 'JSON' : 'YAML'}: ${describeYamlError(first.code, first.message)}`);
  }
  return {
    file,
    text,
    document,
    positionAt(offset) {
      const { line, col } = lineCounter.linePos(offset);
      return { line, column: col };
    },
  };
}

/** The start position of a node (or of the document when absent). */
export function nodePosition(source: YamlSource, node: YamlNode | null | undefined): SourcePosition {
  return source.positionAt(node?.range?.[0] ?? 0);
}

/** A function from an offset in a scalar's string value to its position in the file. */
export function scalarLocator(source: YamlSource, scalar: Scalar): (valueOffset: number) => SourcePosition {
  const offsets = valueOffsets(source.text, scalar);
  return (valueOffset) => {
    const index = Math.max(0, Math.min(valueOffset, offsets.length - 1));
    return source.positionAt(offsets[index]!);
  };
}

/** True when `node` is a scalar whose value is a string. */
export function isStringScalar(node: unknown): node is Scalar<string> {
  return isScalar(node) && typeof node.value === 'string';
}

/**
 * For each character of the scalar's value (and one past its end), the absolute offset of the
 * source character it came from. Plain scalars map one to one; quoted scalars skip the quote and
 * escapes; block scalars skip the header line and each line's indentation.
 */
function valueOffsets(text: string, scalar: Scalar): number[] {
  const [start, valueEnd] = scalar.range ?? [0, 0];
  const value = String(scalar.value ?? '');
  const offsets: number[] = [];
  switch (scalar.type) {
    case 'QUOTE_DOUBLE': {
      let i = start + 1;
      while (i < valueEnd - 1 && offsets.length < value.length) {
        offsets.push(i);
        if (text[i] === '\\') {
          const escape = text[i + 1];
          i += escape === 'x' ? 4 : escape === 'u' ? 6 : escape === 'U' ? 10 : 2;
        } else i += 1;
      }
      offsets.push(i);
      break;
    }
    case 'QUOTE_SINGLE': {
      let i = start + 1;
      while (i < valueEnd - 1 && offsets.length < value.length) {
        offsets.push(i);
        i += text[i] === "'" && text[i + 1] === "'" ? 2 : 1;
      }
      offsets.push(i);
      break;
    }
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED': {
      let i = text.indexOf('\n', start);
      if (i < 0) return [start];
      i += 1;
      const lines = text.slice(i, valueEnd).split('\n');
      const indent = blockIndent(lines, value.split('\n'));
      for (const line of lines) {
        const skip = Math.min(indent, line.length);
        for (let c = skip; c < line.length; c++) offsets.push(i + c);
        offsets.push(i + line.length);
        i += line.length + 1;
      }
      break;
    }
    default: {
      // A plain scalar: line breaks and the indentation after them fold into one space.
      let i = start;
      for (const c of value) {
        if (text[i] !== c && isBlank(text[i])) while (i < valueEnd && isBlank(text[i]) && text[i] !== c) i++;
        offsets.push(i);
        if (isBlank(c)) while (i < valueEnd && isBlank(text[i])) i++;
        else i++;
      }
      offsets.push(i);
    }
  }
  return offsets.length > 0 ? offsets : [start];
}

/**
 * The indentation a block scalar strips: the first non-empty line's indentation in the source
 * minus the spaces its value keeps (which an indentation indicator such as `|2` leaves in).
 */
function blockIndent(sourceLines: readonly string[], valueLines: readonly string[]): number {
  const index = sourceLines.findIndex((line) => line.trim() !== '');
  if (index < 0) return 0;
  const source = sourceLines[index]!;
  const kept = valueLines[index] ?? '';
  return Math.max(0, source.length - source.trimStart().length - (kept.length - kept.trimStart().length));
}

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

function describeYamlError(code: string, message: string): string {
  const firstLine = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const reasons: Record<string, string> = {
    DUPLICATE_KEY: 'a key appears twice in the same map',
    MISSING_CHAR: firstLine,
    TAB_AS_INDENT: 'tabs are not allowed as indentation',
    MULTIPLE_DOCS: 'a scenario file holds one document: remove the --- separator and what follows it',
  };
  return reasons[code] ?? firstLine;
}
