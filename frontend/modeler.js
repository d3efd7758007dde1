/*
 * One Window process designer: bpmn-js Modeler + small properties panel.
 * Built by `npm run build` into app/static/build/modeler.js (IIFE, no CDN).
 *
 * PAGE CONTRACT (the Flask template provides exactly this):
 *
 *   CSS:  build/diagram-js.css, build/bpmn-js.css,
 *         build/bpmn-font/css/bpmn.css, build/onewindow.css
 *
 *   <meta name="csrf-token" content="{{ csrf_token() }}">
 *
 *   <div id="modeler"
 *        data-xml-url="GET -> BPMN XML text"
 *        data-save-url="POST XML -> {"saved": true, "problems": [...]}
 *                                or {"error": "...", "details": [...]}"
 *        data-validate-url="POST XML -> {"problems": [...]}"
 *        data-roles='["front_office", "back_office", ...]'
 *        data-forms='["a.schema.json", ...]'></div>
 *   <div id="properties"></div>
 *   <ul id="problems"></ul>
 *   <button id="save-draft">  <button id="validate">
 *   <a id="download" download="process.bpmn">
 *   optional: <form id="deploy-form"> with <input type="hidden" name="xml">
 *             (filled with the current XML when the form is submitted)
 *   <script src="build/modeler.js"></script>  (at the end of <body>)
 *
 * POSTs send the XML as the body with Content-Type: application/xml and the
 * header X-CSRFToken (from the meta tag). A problem is
 *   {"message": "...", "element_id": "task_1" | null, "line": 12 | null,
 *    "severity": "error" | "warning"}
 *
 * The modeler instance is exposed as window.oneWindowModeler (for tests).
 * Status notices are shown in a <div class="ow-notice"> added inside #modeler.
 */

import BpmnModeler from 'bpmn-js/lib/Modeler';

import spiffworkflow from './lib/spiffworkflow-moddle.js';
import { importDiagram } from './lib/layout.js';
import { createPropertiesPanel } from './lib/properties-panel.js';

const container = document.getElementById('modeler');
const problemList = document.getElementById('problems');
const csrfMeta = document.querySelector('meta[name="csrf-token"]');

// status notices float over the top of the canvas; click to dismiss
const notice = document.createElement('div');
notice.className = 'ow-notice';
notice.hidden = true;
notice.title = 'Click to dismiss';
notice.addEventListener('click', () => { notice.hidden = true; });

const modeler = new BpmnModeler({
  container,
  moddleExtensions: { spiffworkflow }
});
window.oneWindowModeler = modeler;

container.append(notice);

const canvas = modeler.get('canvas');
const elementRegistry = modeler.get('elementRegistry');

let dirty = false;

createPropertiesPanel(modeler, document.getElementById('properties'), {
  roles: readJson(container.dataset.roles),
  forms: readJson(container.dataset.forms)
});

load();

// --- loading ---------------------------------------------------------------

async function load() {
  try {
    const response = await fetchOrExplain(container.dataset.xmlUrl, { credentials: 'same-origin' });
    if (!response.ok) {
      throw new Error(`the server answered HTTP ${response.status}`);
    }
    const { warnings, laidOut } = await importDiagram(modeler, await response.text());

    fitBesidePalette();
    dirty = laidOut;
    showNotice(laidOut ? 'This diagram had no layout; it was laid out automatically' : '');
    // unknown extension attributes are kept on save, so don't report them
    showProblems(warnings
      .filter((w) => !/^unknown attribute/.test(w.message))
      .map((w) => ({ message: 'Import: ' + w.message, severity: 'warning' })));
    refreshExports();
  } catch (err) {
    showProblems([ { message: 'Could not open the diagram: ' + err.message, severity: 'error' } ]);
  }
}

// --- toolbar ---------------------------------------------------------------

document.getElementById('save-draft')?.addEventListener('click', async (event) => {
  event.preventDefault();
  const button = event.currentTarget;
  button.disabled = true;
  try {
    const result = await postXml(container.dataset.saveUrl);
    if (result.saved) {
      dirty = false;
      showNotice('Draft saved at ' + new Date().toLocaleTimeString());
    }
    showProblems(result.problems || []);
  } catch (err) {
    showError('Saving failed', err);
  } finally {
    button.disabled = false;
  }
});

document.getElementById('validate')?.addEventListener('click', async (event) => {
  event.preventDefault();
  const button = event.currentTarget;
  button.disabled = true;
  try {
    const { problems = [] } = await postXml(container.dataset.validateUrl);
    showNotice(problems.length ? '' : 'Validation passed: no problems found');
    showProblems(problems);
  } catch (err) {
    showError('Validation failed', err);
  } finally {
    button.disabled = false;
  }
});

const deployForm = document.getElementById('deploy-form');
if (deployForm) {
  deployForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    deployForm.querySelector('input[name="xml"]').value = await currentXml();
    dirty = false;
    // form.submit() does not fire this handler again, and works after the await above
    deployForm.submit();
  });
}

// keep the download link (and the deploy form) up to date
const downloadLink = document.getElementById('download');
let refreshTimer = null;

modeler.on('commandStack.changed', () => {
  dirty = true;
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refreshExports, 300);
});

async function refreshExports() {
  const xml = await currentXml();
  if (downloadLink) {
    if (downloadLink.href.startsWith('blob:')) {
      URL.revokeObjectURL(downloadLink.href);
    }
    downloadLink.href = URL.createObjectURL(new Blob([ xml ], { type: 'application/xml' }));
  }
  const xmlInput = deployForm && deployForm.querySelector('input[name="xml"]');
  if (xmlInput) {
    xmlInput.value = xml;
  }
}

window.addEventListener('beforeunload', (event) => {
  if (dirty) {
    event.preventDefault();
    event.returnValue = '';
  }
});

// --- helpers ---------------------------------------------------------------

// like zoom('fit-viewport') but leaves room for the palette on the left
function fitBesidePalette() {
  canvas.resized();
  const { inner, outer } = canvas.viewbox();
  const left = 120, margin = 20;
  const scale = Math.min(1,
    (outer.width - left - margin) / inner.width,
    (outer.height - 2 * margin) / inner.height);
  if (!(scale > 0)) {
    canvas.zoom('fit-viewport', 'auto'); // tiny canvas: plain fit
    return;
  }
  canvas.viewbox({
    x: inner.x - left / scale,
    y: inner.y - margin / scale,
    width: outer.width / scale,
    height: outer.height / scale
  });
}

async function currentXml() {
  const { xml } = await modeler.saveXML({ format: true });
  return xml;
}

async function postXml(url) {
  const body = await currentXml();
  const response = await fetchOrExplain(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'Content-Type': 'application/xml',
      'X-CSRFToken': csrfMeta ? csrfMeta.content : '',
      'Accept': 'application/json'
    },
    body
  });

  let data = null;
  if ((response.headers.get('Content-Type') || '').includes('json')) {
    data = await response.json();
  }
  if (!data) {
    const hint = response.redirected ? '; you may have been logged out' : '';
    throw new Error(`unexpected response from the server (HTTP ${response.status}${hint})`);
  }
  if (!response.ok || data.error) {
    const err = new Error(data.error || `HTTP ${response.status}`);
    err.details = data.details || [];
    throw err;
  }
  return data;
}

// fetch() only rejects on network failures; give those a readable message
async function fetchOrExplain(url, options) {
  try {
    return await fetch(url, options);
  } catch (err) {
    throw new Error(`could not reach the server (${err.message})`);
  }
}

function showError(what, err) {
  const details = (err.details || []).map((d) =>
    typeof d === 'string' ? { message: d, severity: 'error' } : { severity: 'error', ...d });
  showProblems([ { message: `${what}: ${err.message}`, severity: 'error' }, ...details ]);
}

function showNotice(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

let markedIds = [];

function showProblems(problems) {
  for (const [ id, marker ] of markedIds) {
    if (elementRegistry.get(id)) {
      canvas.removeMarker(id, marker);
    }
  }
  markedIds = [];
  problemList.replaceChildren();

  for (const problem of problems) {
    const severity = problem.severity === 'warning' ? 'warning' : 'error';
    const element = problem.element_id ? elementRegistry.get(problem.element_id) : null;

    const li = document.createElement('li');
    li.className = `ow-problem ow-problem-${severity} ${severity}`;
    li.append(
      span('ow-problem-severity', severity),
      span('ow-problem-message', problem.message || String(problem))
    );
    if (problem.element_id) {
      li.append(span('ow-problem-element', problem.element_id));
    }
    if (problem.line) {
      li.append(span('ow-problem-line', 'line ' + problem.line));
    }

    if (element) {
      canvas.addMarker(element, 'ow-' + severity);
      markedIds.push([ element.id, 'ow-' + severity ]);
      li.classList.add('ow-clickable');
      li.title = 'Show this element';
      li.addEventListener('click', () => {
        canvas.scrollToElement(element);
        modeler.get('selection').select(element);
      });
    }
    problemList.append(li);
  }
}

function span(className, text) {
  const s = document.createElement('span');
  s.className = className;
  s.textContent = text;
  return s;
}

function readJson(text) {
  try {
    return JSON.parse(text || '[]');
  } catch (err) {
    console.warn('One Window: invalid JSON in data attribute', text);
    return [];
  }
}
