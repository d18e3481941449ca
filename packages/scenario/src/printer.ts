/**
 * Prints a scenario back as YAML in the language's own syntax (steps as strings or one-key maps,
 * `expect` blocks as literal blocks). `parseScenario(printScenario(s))` gives `s` again, up to
 * positions: the property tests check this.
 */
import { stringify } from 'yaml';
import type { BinaryOperator, Expression, Scenario, Step, TemplatePart } from './ast.js';
import { DEFAULT_PROFILE } from './machineSpec.js';

const PRECEDENCE: Readonly<Record<BinaryOperator, number>> = { '|': 1, '+': 2, '-': 2, '*': 3 };

/** An expression in the step grammar, with only the parentheses its precedence needs. */
export function printExpression(expression: Expression, parentPrecedence = 0, rightSide = false): string {
  switch (expression.kind) {
    case 'number':
      return expression.text;
    case 'string':
      return quoteString(expression.value);
    case 'name':
      return expression.name;
    case 'negate':
      return `-${printExpression(expression.operand, 4)}`;
    case 'binary': {
      const own = PRECEDENCE[expression.operator];
      const text = `${printExpression(expression.left, own)} ${expression.operator} ${printExpression(expression.right, own, true)}`;
      return own < parentPrecedence || (rightSide && own === parentPrecedence) ? `(${text})` : text;
    }
  }
}

/** A string in double quotes with the escapes the lexer reads back (`\\"`, `\\\\`, `\\n`, `\\t`). */
export function quoteString(value: string): string {
  const escapes: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t' };
  return `"${[...value].map((c) => escapes[c] ?? c).join('')}"`;
}

/** A step's text as a string step or the value of a one-key map (without the key). */
export function printAction(step: Step): string {
  switch (step.kind) {
    case 'call': {
      let text = `${step.call.name}(${step.args.map((a) => printExpression(a)).join(', ')})`;
      if (step.assign) text += ` -> ${step.assign.name}`;
      if (step.expect) text += ` == ${printExpression(step.expect.value)}${step.expect.error ? ` ${step.expect.error.name}` : ''}`;
      if (step.fault) text += ` => ${step.fault.name}`;
      return text;
    }
    case 'access': {
      const word = `${step.access}${step.sizeWritten ? step.size * 8 : ''}`;
      let text = `${word} ${printExpression(step.address)}`;
      if (step.value) text += ` = ${printExpression(step.value)}`;
      if (step.expect) text += ` == ${printExpression(step.expect)}`;
      if (step.fault) text += ` => ${step.fault.name}`;
      return text;
    }
    case 'spawn':
      return `spawn ${step.process.name}${step.personalityWritten ? ` ${step.personality}` : ''}`;
    case 'show':
      return `show ${step.view.name}${step.process ? ` ${step.process.name}` : ''}`;
    case 'label':
      return `label ${step.label.name}`;
    case 'expect':
      return `expect ${step.view.name}${step.process ? ` ${step.process.name}` : ''}`;
    case 'repeat':
      return `repeat ${printExpression(step.count)}`;
  }
}

/** A step as plain data for YAML: a string, or a one-key map. */
export function stepData(step: Step): unknown {
  switch (step.kind) {
    case 'call':
    case 'access':
      return { [step.process.name]: printAction(step) };
    case 'expect':
      return { [printAction(step)]: printTemplate(step.lines) + '\n' };
    case 'repeat':
      return { [printAction(step)]: step.steps.map(stepData) };
    default:
      return printAction(step);
  }
}

/** The text of template lines, substitutions written back as `${…}`. */
export function printTemplate(lines: readonly (readonly TemplatePart[])[]): string {
  return lines
    .map((parts) =>
      parts
        .map((part) => (part.kind === 'text' ? part.text.replaceAll('${', () => '$${') : `\${${printExpression(part.expression)}${part.format ? `:${part.format.text}` : ''}}`))
        .join(''),
    )
    .join('\n');
}

/** The whole scenario as YAML text. */
export function printScenario(scenario: Scenario): string {
  const data: Record<string, unknown> = {};
  const overrides = scenario.machine.overrides;
  if (Object.keys(overrides).length > 0) data.machine = { profile: scenario.machine.profile, ...overrides };
  else if (scenario.machine.profile !== DEFAULT_PROFILE) data.machine = scenario.machine.profile;
  if (scenario.files.length > 0) {
    data.files = Object.fromEntries(
      scenario.files.map((f) => [f.path, { ...(f.size === undefined ? {} : { size: f.size }), ...(f.host === undefined ? {} : { host: f.host }) }]),
    );
  }
  if (scenario.processes.length > 0) data.processes = scenario.processes.map((p) => ({ name: p.name, personality: p.personality }));
  data.steps = scenario.steps.map(stepData);
  return stringify(data, { lineWidth: 0 });
}
