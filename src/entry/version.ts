/** The package version, read once from package.json. */
export { VERSION } from '../platform/paths.ts';
