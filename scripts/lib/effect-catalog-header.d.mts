// Types for effect-catalog-header.mjs (imported by test/native-catalog.test.ts).
export declare const pascalName: (name: string) => string;
export declare const snakeName: (name: string) => string;
export declare function effectCatalogHeader(effects: Record<string, unknown>): string;
