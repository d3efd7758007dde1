/*
 * One Window decision-table editor: dmn-js (from npm) opened on the decision table view.
 * Built by `npm run build` into app/static/build/decisions.js (IIFE, no CDN).
 *
 * PAGE CONTRACT (the Flask template provides exactly this):
 *
 *   CSS:  build/dmn-js-shared.css, build/dmn-js-decision-table.css,
 *         build/dmn-js-decision-table-controls.css, build/dmn-font/css/dmn-embedded.css
 *   <meta name="csrf-token" content="...">
 *   <div id="decision-editor"
 *        data-xml-url="GET -> DMN XML"
 *        data-validate-url="POST XML -> {"problems": [...]}"
 *        data-deploy-url="POST XML -> 201/200 {"key", "version", "unchanged", "procedures"}
 *                                   or 422 {"error", "details": [...problems]}"></div>
 *   <button id="validate">  <button id="deploy">  <ul id="problems"></ul>  <p id="status"></p>
 *
 * A problem is {"message", "element_id", "line", "severity"}, as for diagrams.
 * The editor is exposed as window.oneWindowDecisionEditor (for tests).
 */

import DmnModeler from 'dmn-js/lib/Modeler';

const container = document.getElementById('decision-editor');
const problemList = document.getElementById('problems');
const status = document.getElementById('status');
const csrf = document.querySelector('meta[name="csrf-token"]');

const editor = new DmnModeler({ container });
window.oneWindowDecisionEditor = editor;

load();

document.getElementById('validate').addEventListener('click', async () => {
  const [ , body ] = await send(container.dataset.validateUrl);
  showProblems(body.problems || []);
  say(body.problems && body.problems.some(p => p.severity === 'error')
    ? 'The table has problems to fix before it can be deployed.' : 'No problems found.');
});

document.getElementById('deploy').addEventListener('click', async () => {
  const [ response, body ] = await send(container.dataset.deployUrl);
  if (response.ok) {
    showProblems([]);
    const again = body.procedures.length
      ? ` Deployed again to use it: ${body.procedures.map(p => `${p.key} version ${p.version}`).join(', ')}.` : '';
    say(body.unchanged ? `Nothing to deploy: version ${body.version} is already exactly this table.`
      : `Deployed version ${body.version}.${again}`);
  } else {
    showProblems(body.details || []);
    say(body.error || `The server answered HTTP ${response.status}.`);
  }
});

async function load() {
  try {
    const response = await fetch(container.dataset.xmlUrl, { credentials: 'same-origin' });
    if (!response.ok) {
      throw new Error(`the server answered HTTP ${response.status}`);
    }
    await editor.importXML(await response.text());
    const table = editor.getViews().find(view => view.type === 'decisionTable');
    if (table) {
      await editor.open(table);
    }
    container.dataset.ready = 'true';
  } catch (err) {
    say('This decision table cannot be opened: ' + err.message);
  }
}

async function send(url) {
  const { xml } = await editor.saveXML({ format: true });
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/xml', 'Accept': 'application/json',
               'X-CSRFToken': csrf ? csrf.content : '' },
    body: xml
  });
  let body = {};
  try {
    body = await response.json();
  } catch (err) {
    body = { error: `The server answered HTTP ${response.status}.` };
  }
  return [ response, body ];
}

function showProblems(problems) {
  problemList.replaceChildren(...problems.map(problem => {
    const item = document.createElement('li');
    item.className = problem.severity === 'warning' ? 'warning' : 'error';
    item.textContent = problem.message + (problem.line ? ` (line ${problem.line})` : '');
    return item;
  }));
}

function say(text) {
  status.textContent = text;
}
