/** The error of a recording that cannot be read or written: bad input, so the command exits 2. */
export class RecordingError extends Error {
  /** Always `RecordingError`. */
  override readonly name = 'RecordingError';
}
