/*
 * Moddle descriptor for the SpiffWorkflow extension namespace
 * (xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core").
 *
 * Once a namespace is registered, moddle DROPS child elements of that
 * namespace that it does not know (with an import warning). So besides the
 * <spiffworkflow:properties>/<spiffworkflow:property> pair that One Window
 * edits, the other extension elements SpiffWorkflow / Spiff Arena write are
 * declared here too, so that diagrams coming from elsewhere round-trip.
 * Unknown spiffworkflow:* *attributes* are always kept by moddle.
 *
 * Type names are capitalised; "tagAlias: lowerCase" makes them serialise as
 * <spiffworkflow:properties>, <spiffworkflow:preScript>, ...
 */

// Extension elements whose value is their text content.
const TEXT_ELEMENTS = [
  'PreScript', 'PostScript', 'CalledDecisionId', 'InstructionsForEndUser',
  'MessagePayload', 'MessageVariable', 'PayloadExpression', 'VariableName',
  'AllowGuest', 'GuestConfirmation', 'SignalButtonLabel',
  'ProcessModelToStartOnTaskAvailable', 'Category',
  'PropertyId', 'Expression', 'InputJson', 'ExpectedOutputJson'
];

const attr = (name) => ({ name, isAttr: true, type: 'String' });
const many = (name, type) => ({ name, type, isMany: true });

export default {
  name: 'SpiffWorkflow',
  uri: 'http://spiffworkflow.org/bpmn/schema/1.0/core',
  prefix: 'spiffworkflow',
  xml: { tagAlias: 'lowerCase' },
  associations: [],
  types: [
    ...TEXT_ELEMENTS.map((name) => ({
      name,
      superClass: [ 'Element' ],
      properties: [ { name: 'value', isBody: true, type: 'String' } ]
    })),

    // <spiffworkflow:properties><spiffworkflow:property name=".." value=".."/>
    { name: 'Properties', superClass: [ 'Element' ], properties: [ many('properties', 'Property') ] },
    { name: 'Property', superClass: [ 'Element' ], properties: [ attr('name'), attr('value') ] },

    { name: 'TaskMetadataValues', superClass: [ 'Element' ], properties: [ many('values', 'TaskMetadataValue') ] },
    { name: 'TaskMetadataValue', superClass: [ 'Element' ], properties: [ attr('name'), attr('value') ] },

    // service tasks
    {
      name: 'ServiceTaskOperator',
      superClass: [ 'Element' ],
      properties: [ attr('id'), attr('resultVariable'), { name: 'parameterList', type: 'Parameters' }, { name: 'retry', type: 'Retry' } ]
    },
    { name: 'Parameters', superClass: [ 'Element' ], properties: [ many('parameters', 'Parameter') ] },
    { name: 'Parameter', superClass: [ 'Element' ], properties: [ attr('id'), attr('name'), attr('type'), attr('value') ] },
    { name: 'Retry', superClass: [ 'Element' ], properties: [ attr('retries'), attr('backoff_base') ] },

    // script unit tests
    { name: 'UnitTests', superClass: [ 'Element' ], properties: [ many('unitTests', 'UnitTest') ] },
    {
      name: 'UnitTest',
      superClass: [ 'Element' ],
      properties: [ attr('id'), { name: 'inputJson', type: 'InputJson' }, { name: 'expectedOutputJson', type: 'ExpectedOutputJson' } ]
    },

    // message correlation
    {
      name: 'ProcessVariableCorrelation',
      superClass: [ 'Element' ],
      properties: [ { name: 'propertyId', type: 'PropertyId' }, { name: 'expression', type: 'Expression' } ]
    }
  ]
};
