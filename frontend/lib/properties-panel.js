/*
 * A small properties panel for the One Window process designer.
 *
 * Shows, for the selected element (or the process when nothing is selected):
 *   - id (read-only) and name
 *   - lane:            its name, chosen from the known roles
 *   - user task:       the form (spiffworkflow property formJsonSchemaFilename)
 *   - timer event:     the timer type and expression, e.g. working_days(5) or "P5D"
 *   - sequence flow leaving a gateway: the condition expression
 *
 * Every edit goes through modeling.updateProperties / updateModdleProperties
 * as ONE command, so undo / redo (Ctrl+Z / Ctrl+Y) work.
 */

import { is, getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';

const FORM_PROPERTY = 'formJsonSchemaFilename';
const TIMER_TYPES = {
  timeDuration: 'Duration (wait this long)',
  timeDate: 'Date (wait until)',
  timeCycle: 'Cycle (repeat)'
};

export function createPropertiesPanel(modeler, container, { roles = [], forms = [] } = {}) {
  const modeling = modeler.get('modeling');
  const bpmnFactory = modeler.get('bpmnFactory');
  const canvas = modeler.get('canvas');
  const eventBus = modeler.get('eventBus');
  const selection = modeler.get('selection');

  let current = null;

  function render() {
    const selected = selection.get();
    current = selected.length === 1 ? selected[0] : canvas.getRootElement();
    container.replaceChildren();

    if (selected.length > 1) {
      container.append(el('p', { className: 'ow-hint' }, `${selected.length} elements selected.`));
      return;
    }
    if (!current || !current.businessObject || is(current, 'bpmn:Collaboration')) {
      container.append(el('p', { className: 'ow-hint' }, 'Select an element to edit its properties.'));
      return;
    }

    const bo = getBusinessObject(current);

    container.append(el('h3', {}, typeLabel(bo)));
    container.append(field('Id', el('input', { type: 'text', value: bo.id || '', readOnly: true })));

    if (is(bo, 'bpmn:Lane')) {
      container.append(field('Role (lane name)', roleSelect(bo)));
    } else {
      container.append(field('Name', textInput(bo.name, (name) => update({ name: name || undefined }))));
    }

    if (is(bo, 'bpmn:UserTask')) {
      container.append(field('Form', formSelect(bo)));
    }

    const timer = (bo.eventDefinitions || []).find((d) => is(d, 'bpmn:TimerEventDefinition'));
    if (timer) {
      timerFields(timer);
    }

    if (is(bo, 'bpmn:SequenceFlow') && isConditionalSource(bo.sourceRef)) {
      const body = bo.conditionExpression ? bo.conditionExpression.body : '';
      container.append(field('Condition (Python expression)', textInput(body, (text) => update({
        conditionExpression: text ? bpmnFactory.create('bpmn:FormalExpression', { body: text }) : undefined
      }), 'e.g. fee_paid == True')));
    }
  }

  function update(props) {
    modeling.updateProperties(current, props);
  }

  // --- lanes --------------------------------------------------------------

  function roleSelect(bo) {
    const options = [ [ '', '(choose a role)' ], ...roles.map((r) => [ r, r ]) ];
    if (bo.name && !roles.includes(bo.name)) {
      options.push([ bo.name, `${bo.name} (unknown role)` ]);
    }
    return select(options, bo.name || '', (name) => update({ name: name || undefined }));
  }

  // --- user task form -----------------------------------------------------

  function formSelect(bo) {
    const prop = getFormProperty(bo);
    const filename = (prop && prop.value) || '';
    const options = [ [ '', '(none)' ], ...forms.map((f) => [ f, f ]) ];
    if (filename && !forms.includes(filename)) {
      options.push([ filename, `${filename} (missing)` ]);
    }
    return select(options, filename, (chosen) => setForm(bo, chosen));
  }

  function setForm(bo, filename) {
    const ext = bo.extensionElements;
    const props = ext && (ext.values || []).find((v) => is(v, 'spiffworkflow:Properties'));
    const prop = getFormProperty(bo);

    if (prop) {
      if (filename) {
        modeling.updateModdleProperties(current, prop, { value: filename });
      } else if (props.properties.length > 1) {
        modeling.updateModdleProperties(current, props, { properties: props.properties.filter((p) => p !== prop) });
      } else {
        // the form was the only property: drop the whole <spiffworkflow:properties>
        modeling.updateModdleProperties(current, ext, { values: ext.values.filter((v) => v !== props) });
      }
      return;
    }

    if (!filename) {
      return;
    }

    const newProp = bpmnFactory.create('spiffworkflow:Property', { name: FORM_PROPERTY, value: filename });

    if (props) {
      newProp.$parent = props;
      modeling.updateModdleProperties(current, props, { properties: [ ...props.properties, newProp ] });
      return;
    }

    const newProps = bpmnFactory.create('spiffworkflow:Properties', { properties: [ newProp ] });
    newProp.$parent = newProps;

    if (ext) {
      newProps.$parent = ext;
      modeling.updateModdleProperties(current, ext, { values: [ ...(ext.values || []), newProps ] });
    } else {
      const newExt = bpmnFactory.create('bpmn:ExtensionElements', { values: [ newProps ] });
      newProps.$parent = newExt;
      newExt.$parent = bo;
      update({ extensionElements: newExt });
    }
  }

  // --- timers -------------------------------------------------------------

  function timerFields(timer) {
    let type = Object.keys(TIMER_TYPES).find((t) => timer[t]) || 'timeDuration';
    const body = timer[type] ? timer[type].body || '' : '';

    const typeSelect = select(Object.entries(TIMER_TYPES), type, (t) => { type = t; save(); });
    const expression = textInput(body, save, 'e.g. working_days(5) or "P5D"');

    function save() {
      const text = expression.value.trim();
      const props = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
      if (text) {
        props[type] = bpmnFactory.create('bpmn:FormalExpression', { body: text });
      }
      modeling.updateModdleProperties(current, timer, props);
    }

    container.append(field('Timer type', typeSelect));
    container.append(field('Timer expression', expression));
    container.append(el('p', { className: 'ow-hint' },
      'A Python expression: working_days(5), or an ISO 8601 string in quotes such as "P5D" or "2030-01-01T09:00:00".'));
  }

  // --- small DOM helpers --------------------------------------------------

  function textInput(value, onChange, placeholder = '') {
    const input = el('input', { type: 'text', value: value || '', placeholder });
    input.addEventListener('change', () => onChange(input.value.trim()));
    return input;
  }

  function select(options, value, onChange) {
    const sel = el('select', {});
    for (const [ optionValue, label ] of options) {
      sel.append(el('option', { value: optionValue }, label));
    }
    sel.value = value;
    sel.addEventListener('change', () => onChange(sel.value));
    return sel;
  }

  function field(label, control) {
    const wrapper = el('label', { className: 'ow-field' });
    wrapper.append(el('span', {}, label), control);
    return wrapper;
  }

  eventBus.on([ 'selection.changed', 'import.done' ], render);
  eventBus.on('elements.changed', ({ elements }) => {
    if (!current || elements.includes(current) || elements.some((e) => e.id === current.id)) {
      render();
    }
  });

  render();

  return { render };
}

export function getFormProperty(bo) {
  const values = (bo.extensionElements && bo.extensionElements.values) || [];
  const props = values.find((v) => is(v, 'spiffworkflow:Properties'));
  return props && (props.properties || []).find((p) => p.name === FORM_PROPERTY);
}

function isConditionalSource(node) {
  return node && (is(node, 'bpmn:ExclusiveGateway') || is(node, 'bpmn:InclusiveGateway'));
}

function typeLabel(bo) {
  // bpmn:UserTask -> "User task"
  const name = bo.$type.replace(/^bpmn:/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function el(tag, props, text) {
  const node = Object.assign(document.createElement(tag), props);
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}
