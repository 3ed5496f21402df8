// The part of jsonld 9 (which ships no types) the tests use.
declare module 'jsonld' {
  export interface RemoteDocument {
    contextUrl: string | null;
    documentUrl: string;
    document: unknown;
  }
  export type DocumentLoader = (url: string) => Promise<RemoteDocument>;
  const jsonld: {
    expand(input: unknown, options?: { documentLoader?: DocumentLoader; safe?: boolean }): Promise<Record<string, unknown>[]>;
  };
  export default jsonld;
}
