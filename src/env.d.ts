/** Build identifier injected by vite.config.ts (TAPEDECK_BUILD_ID, else the package version). */
declare const __TAPEDECK_BUILD_ID__: string;
