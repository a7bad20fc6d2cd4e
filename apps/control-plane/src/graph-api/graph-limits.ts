/**
 * Validation rules that bound what one Graph API query can make the control plane do, checked
 * before anything runs (a query over them is answered with GraphQL errors and no data):
 *
 * - selections nest at most MAX_DEPTH fields deep. `ofType` is not counted: it is a chain with
 *   one type per level (the introspection query nests it nine deep), while repeating
 *   `fields { type { fields … } }` multiplies the answer at each level;
 * - `otherVersions` is not selected inside `otherVersions`: each level would load every version
 *   of every version again.
 */
import { type FragmentDefinitionNode, GraphQLError, Kind, type SelectionSetNode, type ValidationRule } from 'graphql';

export const MAX_DEPTH = 6;

interface Walk {
  depth: number;
  /** an `otherVersions` field is already on the path */
  inOtherVersions: boolean;
  /** fragments already expanded on the path (a cycle is reported by graphql's own rules) */
  fragments: ReadonlySet<string>;
}

export const graphLimits: ValidationRule = (context) => {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let nestedVersions = false;

  /** The depth of the deepest field under `set`. */
  const deepest = (set: SelectionSetNode | undefined, walk: Walk): number => {
    let max = walk.depth;
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === 'otherVersions' && walk.inOtherVersions) nestedVersions = true;
        const next = {
          ...walk,
          depth: name === 'ofType' ? walk.depth : walk.depth + 1,
          inOtherVersions: walk.inOtherVersions || name === 'otherVersions',
        };
        max = Math.max(max, deepest(selection.selectionSet, next));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, deepest(selection.selectionSet, walk));
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !walk.fragments.has(fragment.name.value)) {
          max = Math.max(
            max,
            deepest(fragment.selectionSet, { ...walk, fragments: new Set([...walk.fragments, fragment.name.value]) }),
          );
        }
      }
    }
    return max;
  };

  return {
    OperationDefinition(node) {
      nestedVersions = false;
      const depth = deepest(node.selectionSet, { depth: 0, inOtherVersions: false, fragments: new Set() });
      if (depth > MAX_DEPTH) {
        context.reportError(
          new GraphQLError(`The query nests ${depth} fields deep; at most ${MAX_DEPTH} are allowed`, { nodes: [node] }),
        );
      }
      if (nestedVersions) {
        context.reportError(new GraphQLError('otherVersions cannot be selected inside otherVersions', { nodes: [node] }));
      }
    },
  };
};
