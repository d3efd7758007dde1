/*
 * Build the browser bundles for One Window:
 *
 *   npm ci && npm run build      -> app/static/build/ (generated, gitignored)
 *   npm run watch                -> rebuild on change while developing
 *
 * Output:
 *   modeler.js, viewer.js (+ .map)        IIFE bundles, no runtime CDN
 *   diagram-js.css, bpmn-js.css           from bpmn-js/dist/assets
 *   bpmn-font/css/*.css, bpmn-font/font/*
 *   onewindow.css                         from frontend/
 *   decisions.js (+ .map), dmn-js-*.css, dmn-font/   the decision-table editor (dmn-js)
 */

import * as esbuild from 'esbuild';
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'app/static/build');
const assets = path.join(root, 'node_modules/bpmn-js/dist/assets');
const watch = process.argv.includes('--watch');

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

await cp(path.join(assets, 'diagram-js.css'), path.join(outdir, 'diagram-js.css'));
await cp(path.join(assets, 'bpmn-js.css'), path.join(outdir, 'bpmn-js.css'));
await cp(path.join(assets, 'bpmn-font'), path.join(outdir, 'bpmn-font'), { recursive: true });
await cp(path.join(root, 'frontend/onewindow.css'), path.join(outdir, 'onewindow.css'));

const dmnAssets = path.join(root, 'node_modules/dmn-js/dist/assets');
for (const name of [ 'dmn-js-shared.css', 'dmn-js-decision-table.css', 'dmn-js-decision-table-controls.css' ]) {
  await cp(path.join(dmnAssets, name), path.join(outdir, name));
}
await cp(path.join(dmnAssets, 'dmn-font'), path.join(outdir, 'dmn-font'), { recursive: true });

const options = {
  entryPoints: {
    modeler: path.join(root, 'frontend/modeler.js'),
    viewer: path.join(root, 'frontend/viewer.js'),
    decisions: path.join(root, 'frontend/decisions.js')
  },
  outdir,
  bundle: true,
  format: 'iife',
  target: [ 'es2020' ],
  minify: !watch,
  sourcemap: true,
  logLevel: 'info'
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
  console.log('watching frontend/ (onewindow.css is copied only at start)');
} else {
  await esbuild.build(options);
}
