// `node --import ./libs/testing/src/swc-register.mjs`: installs swc-loader.mjs (see there).
import { register } from 'node:module';

register('./swc-loader.mjs', import.meta.url);
