/** Thrown when the recording holds nothing the chosen format can carry, or holds it in a form the export cannot write. */
export class UnsupportedExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedExportError';
  }
}
