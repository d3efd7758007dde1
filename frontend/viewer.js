/*
 * One Window case diagram: read-only bpmn-js NavigatedViewer (pan / zoom)
 * that colours the steps of one case.
 * Built by `npm run build` into app/static/build/viewer.js (IIFE, no CDN).
 *
 * PAGE CONTRACT (the Flask template provides exactly this):
 *
 *   CSS:  build/diagram-js.css, build/bpmn-js.css,
 *         build/bpmn-font/css/bpmn.css, build/onewindow.css
 *
 *   <div id="case-diagram"
 *        data-xml-url="GET -> BPMN XML text"
 *        data-completed='["element_id", ...]'   (green)
 *        data-current='["element_id", ...]'     (blue, bold)
 *        data-overdue='["element_id", ...]'   (red)
 *        data-heat='{"element_id": {"waiting", "overdue", "median_hours", ...}}'></div>
 *          (the waiting heatmap: a count on each step, red where work is late, amber where it waits)
 *   optional, any number: <div class="ow-sub-procedure-diagram" data-xml-url=... data-completed=...
 *        data-current=... data-overdue=...></div>  (a sub-procedure the case is inside, same contract)
 *   <script src="build/viewer.js"></script>  (at the end of <body>)
 *
 * The div gets a default height of 420px from onewindow.css (override it in
 * the page if needed). Diagrams without BPMNDI are laid out automatically;
 * if that fails too the div shows "This diagram cannot be drawn: <reason>".
 * The viewer instance is exposed as window.oneWindowViewer (for tests).
 */

import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

import spiffworkflow from './lib/spiffworkflow-moddle.js';
import { importDiagram } from './lib/layout.js';

const container = document.getElementById('case-diagram');

if (container) {
  window.oneWindowViewer = show(container);
}
for (const sub of document.querySelectorAll('.ow-sub-procedure-diagram')) {
  show(sub);
}

function show(container) {
  const viewer = new NavigatedViewer({ container, moddleExtensions: { spiffworkflow } });
  draw(viewer, container);
  return viewer;
}

async function draw(viewer, container) {
  try {
    const response = await fetch(container.dataset.xmlUrl, { credentials: 'same-origin' });
    if (!response.ok) {
      throw new Error(`the server answered HTTP ${response.status}`);
    }
    await importDiagram(viewer, await response.text());
  } catch (err) {
    viewer.destroy();
    const message = document.createElement('p');
    message.className = 'ow-diagram-error';
    message.textContent = 'This diagram cannot be drawn: ' + err.message;
    container.replaceChildren(message);
    return;
  }

  const canvas = viewer.get('canvas');
  const elementRegistry = viewer.get('elementRegistry');

  for (const state of [ 'completed', 'current', 'overdue' ]) {
    for (const id of readJson(container.dataset[state])) {
      if (elementRegistry.get(id)) {
        canvas.addMarker(id, 'ow-' + state);
      }
    }
  }

  const heat = readJson(container.dataset.heat || '{}');
  const overlays = viewer.get('overlays');
  for (const [ id, step ] of Object.entries(heat)) {
    if (!elementRegistry.get(id)) {
      continue;
    }
    canvas.addMarker(id, step.overdue ? 'ow-heat-late' : 'ow-heat-waiting');
    const badge = document.createElement('span');
    badge.className = 'ow-heat-badge' + (step.overdue ? ' late' : '');
    badge.textContent = String(step.waiting);
    badge.title = `${step.waiting} waiting, ${step.overdue} late; median ${step.median_hours} h, oldest ${step.oldest_hours} h`;
    overlays.add(id, 'ow-heat', { position: { top: -10, right: 10 }, html: badge });
  }

  const fit = () => {
    canvas.resized();
    canvas.zoom('fit-viewport', 'auto');
  };
  fit();

  // printing: refit to the printed size and back
  window.addEventListener('beforeprint', fit);
  window.addEventListener('afterprint', fit);
}

function readJson(text) {
  try {
    return JSON.parse(text || '[]');
  } catch (err) {
    return [];
  }
}
