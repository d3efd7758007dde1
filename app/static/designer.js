// The designer pages' small behaviours, loaded as a file so the pages run under a strict
// Content-Security-Policy (no inline script).
(function () {
  // Form editor: live preview, rendered by the server with the same macro staff see.
  const editor = document.getElementById('form-editor');
  const preview = document.getElementById('form-preview');
  if (editor && preview) {
    let timer = null;
    editor.elements.schema.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const response = await fetch(preview.dataset.url, {
          method: 'POST', body: new FormData(editor), credentials: 'same-origin'
        });
        preview.innerHTML = await response.text();
      }, 400);
    });
  }
  // Modeler after a refused deployment: once the diagram is drawn, validate it so its problems
  // are marked on the canvas.
  const refused = document.querySelector('[data-validate-on-load]');
  if (refused && window.oneWindowModeler) {
    window.oneWindowModeler.on('import.done', () => setTimeout(() => document.getElementById('validate').click()));
  }
})();
