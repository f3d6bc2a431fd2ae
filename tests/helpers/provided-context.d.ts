// A module (it has an export), so `declare module 'vitest'` augments Vitest's types rather than
// replacing them. Picked up through tsconfig's `include: ["tests", …]`.
export {};

declare module 'vitest' {
  /** Values that globalSetup files provide to tests, read with `inject(name)`. */
  export interface ProvidedContext {
    /** Origin of the fault server, `http://127.0.0.1:<port>` (see tests/helpers/fault-server.ts). */
    faultServerUrl: string;
    /** Origin of the format-stream server, `http://127.0.0.1:<port>` (see tests/helpers/format-streams.ts). */
    formatStreamsUrl: string;
  }
}
