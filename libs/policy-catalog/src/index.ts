/**
 * Portico's built-in policy templates, shared by the control plane (catalog, validation of
 * applied policies) and the gateway (what each policy's configuration looks like). Pure: no I/O.
 */
export {
  POLICY_GROUP_ID,
  type ConfigurationSchema,
  type JsonSchema,
  type PolicyCategory,
  type PolicyTemplateDefinition,
  type Technology,
} from './policy-template.js';
export {
  AUTHENTICATION_TEMPLATES,
  POLICY_TEMPLATES,
  TOKEN_VALIDATING_TEMPLATES,
  compareVersions,
  findPolicyTemplate,
  implementationAsset,
  implementationGap,
  policyTemplateVersions,
  type PolicyTarget,
} from './catalog.js';
export { STRING_FORMATS, type StringFormat } from './formats.js';
export {
  compileFullMatch,
  compileFullMatchGroups,
  compileSearch,
  regexProblem,
  type FullMatch,
  type FullMatchGroups,
  type Search,
} from './linear-regex.js';
export { cedarEngine, cedarProblem } from './cedar.js';
export { compileExpression, expressionProblem, type ExpressionActivation, type PolicyExpression } from './expressions.js';
export { genericForm, type GenericProperty, type GenericPropertyType } from './generic-form.js';
export { SECRET_MASK, mapSensitive, type SensitiveVisitor } from './sensitive.js';
export {
  formatConfigurationIssue,
  formatConfigurationPath,
  validateConfiguration,
  type ConfigurationIssue,
  type ConfigurationPath,
  type ConfigurationResult,
} from './validator.js';
