// The rule tree: every rule hangs at the node of its head's ground prefix (package path + the
// leading string parts of its ref), so virtual documents can be merged with base data by path.
import type { Body, Location, Module, RuleKind, Term } from '../ast.js';

/** A rule after the compile passes: resolved, renamed, reordered. */
export interface CompiledRule {
  /** Ground prefix below data, package included: ['test', 'p']. */
  path: string[];
  /** The head ref's remaining terms from the first non-string one (`p[x].y` → [x, "y"]). */
  rest: Term[];
  kind: RuleKind;
  args: Term[] | null;
  key: Term | null;
  value: Term | null;
  body: Body;
  isDefault: boolean;
  else: CompiledRule | null;
  loc: Location;
  module: Module | null;
}

export interface RuleNode {
  id: number;
  key: string;
  path: string[];
  children: Map<string, RuleNode>;
  /** Rules whose ground prefix ends exactly here. */
  rules: CompiledRule[];
}

export function newNode(id: number, key: string, path: string[]): RuleNode {
  return { id, key, path, children: new Map(), rules: [] };
}

export class RuleTree {
  readonly root: RuleNode;
  private nextId = 1;
  constructor() {
    this.root = newNode(0, 'data', []);
  }

  insert(rule: CompiledRule): RuleNode {
    let node = this.root;
    for (const k of rule.path) {
      let child = node.children.get(k);
      if (!child) {
        child = newNode(this.nextId++, k, [...node.path, k]);
        node.children.set(k, child);
      }
      node = child;
    }
    node.rules.push(rule);
    return node;
  }

  /** The node at exactly this path, if any. */
  find(path: readonly string[]): RuleNode | undefined {
    let node: RuleNode | undefined = this.root;
    for (const k of path) {
      node = node.children.get(k);
      if (!node) return undefined;
    }
    return node;
  }

  /** The first node along path that has rules (walking from the root), if any. */
  ruleNodeOnPath(path: readonly string[]): RuleNode | undefined {
    let node: RuleNode | undefined = this.root;
    for (const k of path) {
      node = node.children.get(k);
      if (!node) return undefined;
      if (node.rules.length) return node;
    }
    return undefined;
  }

  allNodes(): RuleNode[] {
    const out: RuleNode[] = [];
    const walk = (n: RuleNode) => { out.push(n); n.children.forEach(walk); };
    walk(this.root);
    return out;
  }
}

export type NodeMode = 'function' | 'complete' | 'set' | 'general';

/** How a node with rules builds its value. 'general' folds in every rule of the subtree. */
export function nodeMode(node: RuleNode): NodeMode {
  const rules = node.rules;
  if (rules.every((r) => r.kind === 'function')) return 'function';
  if (node.children.size === 0 && rules.every((r) => r.kind === 'complete' && r.rest.length === 0)) return 'complete';
  if (node.children.size === 0 && rules.every((r) => r.kind === 'partialset' && r.rest.length === 0)) return 'set';
  return 'general';
}

/** Every rule at node or below, with its path relative to node. */
export function subtreeRules(node: RuleNode): Array<{ rule: CompiledRule; rel: string[] }> {
  const out: Array<{ rule: CompiledRule; rel: string[] }> = [];
  const walk = (n: RuleNode, rel: string[]) => {
    for (const r of n.rules) out.push({ rule: r, rel });
    for (const [k, c] of n.children) walk(c, [...rel, k]);
  };
  walk(node, []);
  return out;
}

export function pathString(path: readonly string[]): string {
  return ['data', ...path].join('.');
}
